require 'net/http'
# ok: foreign-code-secret-upload
res = Net::HTTP.get_response(URI('https://api.example.org/status'))
puts res.body
