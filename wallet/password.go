package wallet

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"unicode"

	"golang.org/x/term"
)

// PasswordFunc supplies a password; prompt says what it is for (e.g.
// "Enter password to unlock key: "). Returning an error aborts the operation.
type PasswordFunc func(prompt string) (string, error)

// ErrNoPassword is returned when a password is needed but no source has one.
var ErrNoPassword = errors.New("wallet: a password is required (set BT_COLD_PW_<WALLET> or run interactively)")

// EnvVarName is the environment variable that holds a wallet's coldkey
// password: BT_COLD_PW_ + the wallet name upper-cased with '-' → '_' (the
// name current bittensor-wallet reads).
func EnvVarName(walletName string) string {
	return "BT_COLD_PW_" + strings.ReplaceAll(strings.ToUpper(walletName), "-", "_")
}

// EnvPassword returns the coldkey password for walletName from the
// environment: EnvVarName(walletName) first, then, like older bittensor, any
// variable whose upper-cased name starts with BT_COLD_PW_ and ends with the
// upper-cased wallet name.
func EnvPassword(walletName string) (string, bool) {
	if v, ok := os.LookupEnv(EnvVarName(walletName)); ok {
		return v, true
	}
	suffix := strings.ToUpper(walletName)
	for _, kv := range os.Environ() {
		k, v, _ := strings.Cut(kv, "=")
		uk := strings.ToUpper(k)
		if strings.HasPrefix(uk, "BT_COLD_PW_") && strings.HasSuffix(uk, suffix) {
			return v, true
		}
	}
	return "", false
}

// StaticPassword returns a PasswordFunc that always answers pw.
func StaticPassword(pw string) PasswordFunc {
	return func(string) (string, error) { return pw, nil }
}

// TerminalPassword prompts on the controlling terminal without echo. If in
// is not a terminal (pipes, CI) it reads one line from it instead, so scripts
// can pipe a password in.
func TerminalPassword(in *os.File, out io.Writer) PasswordFunc {
	return func(prompt string) (string, error) {
		fmt.Fprint(out, prompt)
		if term.IsTerminal(int(in.Fd())) {
			b, err := term.ReadPassword(int(in.Fd()))
			fmt.Fprintln(out)
			if err != nil {
				return "", fmt.Errorf("wallet: read password: %w", err)
			}
			return string(b), nil
		}
		line, err := readLine(in)
		if err != nil && line == "" {
			return "", fmt.Errorf("%w: no password on stdin", ErrNoPassword)
		}
		return strings.TrimRight(line, "\r"), nil
	}
}

// readLine reads up to '\n' one byte at a time, so consecutive prompts on
// a pipe each get their own line (a buffered reader would swallow the next).
func readLine(r io.Reader) (string, error) {
	var sb strings.Builder
	var b [1]byte
	for sb.Len() < 4096 {
		n, err := r.Read(b[:])
		if n == 1 {
			if b[0] == '\n' {
				return sb.String(), nil
			}
			sb.WriteByte(b[0])
		}
		if err != nil {
			return sb.String(), err
		}
	}
	return sb.String(), nil
}

// ColdkeyPassword is the usual source for unlocking a wallet's coldkey: the
// environment variable, else the fallback (typically TerminalPassword; nil
// means fail with ErrNoPassword).
func ColdkeyPassword(walletName string, fallback PasswordFunc) PasswordFunc {
	return func(prompt string) (string, error) {
		if v, ok := EnvPassword(walletName); ok {
			return v, nil
		}
		if fallback == nil {
			return "", fmt.Errorf("%w (env %s)", ErrNoPassword, EnvVarName(walletName))
		}
		return fallback(prompt)
	}
}

// ErrWeakPassword is returned by ValidatePassword.
var ErrWeakPassword = errors.New("wallet: password too weak")

// ValidatePassword applies the policy for new encrypted keys: at least 6
// characters and not trivially guessable (more than one character class or
// at least 10 characters, and more than two distinct characters). Upstream
// uses a similar length-6 policy with a strength score.
func ValidatePassword(pw string) error {
	if len([]rune(pw)) < 6 {
		return fmt.Errorf("%w: use at least 6 characters", ErrWeakPassword)
	}
	classes := 0
	var lower, upper, digit, other bool
	distinct := map[rune]bool{}
	for _, r := range pw {
		distinct[r] = true
		switch {
		case unicode.IsLower(r):
			lower = true
		case unicode.IsUpper(r):
			upper = true
		case unicode.IsDigit(r):
			digit = true
		default:
			other = true
		}
	}
	for _, b := range []bool{lower, upper, digit, other} {
		if b {
			classes++
		}
	}
	if len(distinct) <= 2 || (classes < 2 && len([]rune(pw)) < 10) {
		return fmt.Errorf("%w: mix letters with digits or symbols, or use 10+ characters", ErrWeakPassword)
	}
	return nil
}

// NewPassword asks twice for a new encryption password and validates it.
func NewPassword(ask PasswordFunc) (string, error) {
	pw, err := ask("Specify password for key encryption: ")
	if err != nil {
		return "", err
	}
	if err := ValidatePassword(pw); err != nil {
		return "", err
	}
	again, err := ask("Retype your password: ")
	if err != nil {
		return "", err
	}
	if again != pw {
		return "", errors.New("wallet: passwords do not match")
	}
	return pw, nil
}
