/*
 * sodium_compat.h - includes <sodium.h> next to tlsm's crypto.h.
 *
 * libsodium declares functions named crypto_hash() and crypto_sign() whose signatures differ
 * from tlsm's crypto.h, so a file including both would not compile. libsodium's two
 * declarations are renamed in this translation unit (tlsm never calls them; it uses
 * crypto_hash_* and crypto_sign_* functions with longer names, which are unaffected). Link
 * time is safe too: libsodium calls neither through its PLT, and libtlsm.so hides its
 * symbols. Include this instead of <sodium.h>.
 */
#ifndef TLSM_CRYPTO_SODIUM_COMPAT_H
#define TLSM_CRYPTO_SODIUM_COMPAT_H

#define crypto_hash libsodium_crypto_hash
#define crypto_sign libsodium_crypto_sign
#include <sodium.h>
#undef crypto_hash
#undef crypto_sign

#endif
