import os, urllib2  # ruleid: py-unparsed-file
print "fetching"
data = urllib2.urlopen("https://legacy.example/feed").read()
os.system("echo done")
