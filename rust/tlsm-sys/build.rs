//! Builds (or finds) the tlsm C core and tells cargo how to link it.
//!
//! Default: compile every `*.c` under `core/src` (or `$TLSM_SYS_SOURCE_DIR/src` when
//! set, pointing at a `core/` directory) with the `cc` crate, with the warning flags of the
//! CMake build, into a static `libtlsm.a`, then link libsodium, hogweed, nettle (pkg-config),
//! gmp and pthread after it. In the repository `core` is a symbolic link to the C core,
//! which `cargo package` follows: the published crate carries the sources themselves, so it
//! builds on its own, like `openssl-src` or `libsodium-sys`. Warnings are errors only in the
//! repository (a user's newer compiler must not fail a dependency's build over a new
//! warning; the repository's builds keep the CMake build's `-Werror`).
//!
//! `TLSM_SYS_USE_PKG_CONFIG=1`: link an installed tlsm found by `pkg-config tlsm` instead
//! (`TLSM_SYS_STATIC=1` asks pkg-config for the static library).
//!
//! Either way `csrc/layout.c` (sizes and offsets of the C types, seen by the C compiler) is
//! compiled against the header in use, and the header's path is passed to the crate as
//! `TLSM_SYS_HEADER`, so the drift tests compare the checked-in bindings with that header.
use std::env;
use std::path::{Path, PathBuf};

fn main() {
    println!("cargo:rerun-if-env-changed=TLSM_SYS_USE_PKG_CONFIG");
    println!("cargo:rerun-if-env-changed=TLSM_SYS_STATIC");
    println!("cargo:rerun-if-env-changed=TLSM_SYS_SOURCE_DIR");
    println!("cargo:rerun-if-changed=csrc/layout.c");

    let include_dir = if env::var("TLSM_SYS_USE_PKG_CONFIG").is_ok_and(|v| v == "1") {
        link_installed()
    } else {
        build_from_source()
    };
    let header = include_dir.join("tlsm.h");
    assert!(header.is_file(), "tlsm.h not found in {}", include_dir.display());
    println!("cargo:rustc-env=TLSM_SYS_HEADER={}", header.display());
    println!("cargo:include={}", include_dir.display());

    cc::Build::new()
        .file("csrc/layout.c")
        .include(&include_dir)
        .std("c11")
        .warnings(true)
        .extra_warnings(true)
        .warnings_into_errors(true)
        .compile("tlsm_sys_layout");
}

fn link_installed() -> PathBuf {
    let statik = env::var("TLSM_SYS_STATIC").is_ok_and(|v| v == "1");
    let lib = pkg_config::Config::new()
        .statik(statik)
        .probe("tlsm")
        .expect("TLSM_SYS_USE_PKG_CONFIG=1 but `pkg-config tlsm` failed (set PKG_CONFIG_PATH)");
    lib.include_paths
        .iter()
        .find(|p| p.join("tlsm.h").is_file())
        .cloned()
        .expect("pkg-config tlsm: no include directory holds tlsm.h")
}

fn build_from_source() -> PathBuf {
    let manifest = PathBuf::from(env::var("CARGO_MANIFEST_DIR").unwrap());
    let core = match env::var_os("TLSM_SYS_SOURCE_DIR") {
        Some(dir) => PathBuf::from(dir),
        None => manifest.join("core"),
    };
    let core = core
        .canonicalize()
        .unwrap_or_else(|_| panic!("tlsm core sources not found at {}", core.display()));
    let src = core.join("src");
    let include = core.join("include");
    println!("cargo:rerun-if-changed={}", src.display());
    println!("cargo:rerun-if-changed={}", include.display());

    let mut sources = Vec::new();
    collect_c_files(&src, &mut sources);
    sources.sort();
    assert!(!sources.is_empty(), "no C sources under {}", src.display());

    let in_repository = manifest.join("core").symlink_metadata().is_ok_and(|m| m.file_type().is_symlink());
    let mut build = cc::Build::new();
    build
        .files(&sources)
        .include(&include)
        .include(&src)
        .std("c11")
        .define("_DEFAULT_SOURCE", None)
        .define("TLSM_BUILDING", None)
        .pic(true)
        .flag("-fvisibility=hidden")
        // The flags of CMakeLists.txt: -Wall -Wextra -Werror -Wshadow -Wvla -Wformat=2.
        .warnings(true)
        .extra_warnings(true)
        .warnings_into_errors(in_repository)
        .flag_if_supported("-Wshadow")
        .flag_if_supported("-Wvla")
        .flag_if_supported("-Wformat=2");
    // Dependencies' include directories come from pkg-config, like CMake's imported targets.
    for lib in probe_crypto_libs() {
        for dir in lib.include_paths {
            build.include(dir);
        }
    }
    build.compile("tlsm");
    // The link line must name the static libtlsm (printed by cc above) before the libraries
    // it uses, so their link flags are printed only now.
    link_crypto_libs();
    include
}

fn probe_crypto_libs() -> Vec<pkg_config::Library> {
    ["libsodium", "hogweed", "nettle"]
        .iter()
        .map(|name| {
            pkg_config::Config::new()
                .cargo_metadata(false)
                .probe(name)
                .unwrap_or_else(|e| panic!("pkg-config {name}: {e} (install libsodium-dev nettle-dev)"))
        })
        .collect()
}

fn link_crypto_libs() {
    for name in ["libsodium", "hogweed", "nettle"] {
        pkg_config::Config::new()
            .probe(name)
            .unwrap_or_else(|e| panic!("pkg-config {name}: {e}"));
    }
    // gmp ships a .pc file only in recent versions.
    if pkg_config::Config::new().probe("gmp").is_err() {
        println!("cargo:rustc-link-lib=gmp");
    }
    println!("cargo:rustc-link-lib=pthread");
}

fn collect_c_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let entries = std::fs::read_dir(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
    for entry in entries {
        let path = entry.expect("readable directory entry").path();
        if path.is_dir() {
            collect_c_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "c") {
            out.push(path);
        }
    }
}
