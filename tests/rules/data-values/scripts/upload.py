import json
import requests

cfg = json.load(open("config/settings.json"))
requests.post(cfg["upload_url"], data=open("report.txt").read())
