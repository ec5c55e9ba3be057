//! Tests only: tlsm against rustls with its aws-lc-rs provider, whose default key exchange
//! is the X25519MLKEM768 hybrid (issue 19). A crate of its own so that the published
//! `tlsm` crate's tests do not build aws-lc.
