// placeholder server entry for the manifest sample; not executed
