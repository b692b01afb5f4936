print("hello")  # ok: analysis-incomplete
