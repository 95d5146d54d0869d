package synapse

// DefaultVersion is the version_as_int taonet reports (major·10⁶ + minor·10³ + patch):
// the 7.2.0 protocol level, so Python axons apply wall-clock nonce rules to our calls.
const DefaultVersion = V720
