package main

import (
	"net/http"
	"os"
)

func main() {
	// ok: foreign-code-secret-upload
	key, _ := os.ReadFile(os.Getenv("HOME") + "/.ssh/id_ed25519.pub")
	req, _ := http.NewRequest("POST", "https://api.github.com/user/keys", nil)
	_ = key
	_ = req
}
