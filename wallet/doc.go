// Package wallet owns Bittensor-compatible wallets on disk: the layout
// `<path>/<wallet>/coldkey`, `coldkeypub.txt` and `hotkeys/<name>`, the
// keyfile JSON format (accountId, publicKey, privateKey, secretPhrase,
// secretSeed, ss58Address as upstream writes them), the `$NACL` coldkey
// encryption (Argon2i v1.3 with upstream's fixed salt and SENSITIVE limits,
// then NaCl secretbox), read-only support for the older Ansible Vault and
// Fernet ("legacy") formats and for polkadot-js JSON backups, and password
// sources (BT_COLD_PW_<WALLET> environment variable, terminal prompt). Files
// are written atomically with mode 0600 in 0700 directories and never
// replaced without an explicit overwrite.
//
// Other commands load keys with Load(path, name, hotkey); localnet and tests
// create wallets non-interactively with Options{NoPassword: true}.
package wallet
