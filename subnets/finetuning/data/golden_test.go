package data

// goldenSelect is Select's choice of 3 of ids "0".."99" with seed "taonet",
// computed independently in Python (hashlib.sha256 over seed ‖ u64be(len) ‖ id).
const goldenSelect = "26,13,47"
