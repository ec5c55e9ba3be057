//! The verification cache through the safe API (issue 18): a client that connects again
//! answers the chain's certificate signatures from its config's cache, counted in
//! `verify_cache_stats`; `verify_cache(0)` turns it off; an out-of-range size fails build().
mod common;

use common::*;
use tlsm::{Connection, Version, VERIFY_CACHE_DEFAULT};

fn connect(ccfg: &tlsm::ClientConfig, scfg: &tlsm::ServerConfig) {
    let mut c = Connection::client(ccfg, "localhost").unwrap();
    let mut s = Connection::server(scfg).unwrap();
    handshake(&mut c, &mut s);
    assert!(c.handshake_done() && s.handshake_done() && !c.resumed());
}

#[test]
fn second_handshake_hits_the_cache() {
    for v in [Version::Tls13, Version::Tls12] {
        let scfg = tlsm_server("server-p256").version(v).build().unwrap();
        let ccfg = tlsm_client().version(v).resumption(false).build().unwrap();
        let st = ccfg.verify_cache_stats();
        assert_eq!((st.hits, st.misses, st.entries), (0, 0, 0), "{v:?}");
        assert_eq!(st.capacity, VERIFY_CACHE_DEFAULT as u64, "{v:?}");
        connect(&ccfg, &scfg);
        let first = ccfg.verify_cache_stats();
        assert!(first.misses > 0 && first.hits == 0 && first.entries == first.misses, "{v:?}: {first:?}");
        connect(&ccfg, &scfg);
        let second = ccfg.verify_cache_stats();
        // The same chain again: every certificate signature is a hit, none verified anew.
        assert_eq!(second.hits, first.misses, "{v:?}: {second:?}");
        assert_eq!(second.misses, first.misses, "{v:?}: {second:?}");
    }
}

#[test]
fn off_switch_and_bounds() {
    let scfg = tlsm_server("server-p256").build().unwrap();
    let ccfg = tlsm_client().resumption(false).verify_cache(0).build().unwrap();
    connect(&ccfg, &scfg);
    connect(&ccfg, &scfg);
    let st = ccfg.verify_cache_stats();
    assert_eq!((st.hits, st.entries, st.capacity), (0, 0, 0), "{st:?}");
    let err = tlsm_client().verify_cache(tlsm::sys::TLSM_VERIFY_CACHE_MAX + 1).build().unwrap_err();
    assert_eq!(err.kind(), tlsm::ErrorKind::InvalidArgument, "{err}");
}
