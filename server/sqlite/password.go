package sqlite

import (
	"crypto/pbkdf2"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"fmt"
	"strconv"
	"strings"
)

// passwordIterations is the PBKDF2-HMAC-SHA256 work factor. It is modest on
// purpose: the reference server is a test target that must register a
// 500-user batch in well under a second on a small machine, and no login
// endpoint ever checks a password. A per-user random 16-byte salt still
// keeps equal passwords from having equal hashes, and nothing is stored in
// clear. A production IM server would use a far higher count (or scrypt).
const passwordIterations = 64

const passwordScheme = "pbkdf2-sha256"

// hashPassword returns "pbkdf2-sha256$iter$salt$hash" (base64, no padding).
func hashPassword(password string) (string, error) {
	salt := make([]byte, 16)
	if _, err := rand.Read(salt); err != nil {
		return "", fmt.Errorf("salt password: %w", err)
	}
	key, err := pbkdf2.Key(sha256.New, password, salt, passwordIterations, sha256.Size)
	if err != nil {
		return "", fmt.Errorf("hash password: %w", err)
	}
	enc := base64.RawStdEncoding
	return fmt.Sprintf("%s$%d$%s$%s", passwordScheme, passwordIterations, enc.EncodeToString(salt), enc.EncodeToString(key)), nil
}

// checkPassword reports whether password matches stored, a value made by
// hashPassword.
func checkPassword(stored, password string) bool {
	parts := strings.Split(stored, "$")
	if len(parts) != 4 || parts[0] != passwordScheme {
		return false
	}
	iter, err := strconv.Atoi(parts[1])
	if err != nil || iter < 1 {
		return false
	}
	enc := base64.RawStdEncoding
	salt, err1 := enc.DecodeString(parts[2])
	want, err2 := enc.DecodeString(parts[3])
	if err1 != nil || err2 != nil {
		return false
	}
	got, err := pbkdf2.Key(sha256.New, password, salt, iter, len(want))
	return err == nil && subtle.ConstantTimeCompare(got, want) == 1
}
