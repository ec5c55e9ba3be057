/*
 * mlkem_ct.c - the constant-time check of tlsm's ML-KEM, both parameter sets (ML-KEM-768
 * and ML-KEM-1024), run under valgrind memcheck by tests/ct/run.sh.
 *
 * Memcheck reports a conditional jump (or move) that depends on undefined memory and an
 * address computed from it. This program marks the secrets as undefined - the key
 * generation seed (d || z), the encapsulation message m and the whole decapsulation key -
 * then runs key generation, encapsulation, the decapsulation-key check and decapsulation
 * of a valid and of a changed ciphertext. Any branch or memory index that depends on a
 * secret becomes a memcheck error, and the run fails (--error-exitcode). The outputs
 * that FIPS 203 makes public (ek, the ciphertext) are marked defined before they are used
 * as inputs, as a peer would see them; inside the library only rho and the result of the
 * dk hash check are declassified (MLKEM_DECLASSIFY in mlkem.h).
 *
 * The ML-KEM sources are compiled into this program with TLSM_MLKEM_CT_CHECK (so that
 * MLKEM_DECLASSIFY is a valgrind request) at the optimisation level CMake gives it.
 *
 * --plant-branch and --plant-index run a deliberate secret-dependent branch or table
 * lookup instead: run.sh requires memcheck to report those, which shows that the marking
 * and the error exit code work, so a clean run means something.
 */
#include <stdio.h>
#include <string.h>
#include <valgrind/memcheck.h>

#include "crypto/mlkem.h"

#define ROUNDS 8

static void fill(uint8_t *p, size_t n, unsigned salt)
{
    for (size_t i = 0; i < n; i++)
        p[i] = (uint8_t)(i * 131 + salt * 29 + 7);
}

static void secret(void *p, size_t n)
{
    VALGRIND_MAKE_MEM_UNDEFINED(p, n);
}

static void public(void *p, size_t n)
{
    VALGRIND_MAKE_MEM_DEFINED(p, n);
}

/* One full exchange in parameter set p; returns 0 when both sides agree and a changed
 * ciphertext does not give the same key (checked on declassified copies, after the secret
 * computations). */
static int exchange(const mlkem_params *p, unsigned round)
{
    uint8_t seed[MLKEM_SEED_BYTES], m[MLKEM_MSG_BYTES], ek[MLKEM_EK_MAX], dk[MLKEM_DK_MAX],
        ct[MLKEM_CT_MAX], ss_enc[MLKEM_SS_BYTES], ss_dec[MLKEM_SS_BYTES],
        ss_bad[MLKEM_SS_BYTES];
    fill(seed, sizeof seed, round);
    fill(m, sizeof m, round + 100);
    secret(seed, sizeof seed);
    secret(m, sizeof m);

    mlkem_keygen(p, seed, ek, dk);
    public(ek, p->ek_bytes); /* sent to the peer */
    if (mlkem_ek_check(p, ek) != 0)
        return -1;
    mlkem_encaps(p, ek, m, ct, ss_enc);
    public(ct, p->ct_bytes);

    secret(dk, p->dk_bytes);
    if (mlkem_dk_check(p, dk) != 0)
        return -1;
    mlkem_decaps(p, dk, ct, ss_dec);
    ct[(round * 97) % p->ct_bytes] ^= (uint8_t)(1u << (round % 8));
    mlkem_decaps(p, dk, ct, ss_bad);

    public(ss_enc, sizeof ss_enc);
    public(ss_dec, sizeof ss_dec);
    public(ss_bad, sizeof ss_bad);
    if (memcmp(ss_enc, ss_dec, sizeof ss_enc) != 0 || memcmp(ss_enc, ss_bad, sizeof ss_enc) == 0)
        return -1;
    return 0;
}

/* The deliberate leaks of --plant-*: what the library must never do with a secret. */
static int planted(const char *kind)
{
    static const uint8_t table[256] = {1, 2, 3};
    uint8_t s[2] = {5, 9};
    volatile int sink = 0;
    secret(s, sizeof s);
    if (strcmp(kind, "--plant-branch") == 0) {
        if (s[0] & 1)
            sink++;
    } else {
        sink += table[s[1]];
    }
    return sink < 0;
}

int main(int argc, char **argv)
{
    if (!RUNNING_ON_VALGRIND)
        fprintf(stderr, "mlkem_ct: not under valgrind, the check below proves nothing\n");
    if (argc == 2 && strncmp(argv[1], "--plant-", 8) == 0)
        return planted(argv[1]);
    static const mlkem_params *const sets[] = {&mlkem_params_768, &mlkem_params_1024};
    for (unsigned i = 0; i < 2; i++)
        for (unsigned round = 0; round < ROUNDS; round++)
            if (exchange(sets[i], round) != 0) {
                fprintf(stderr, "mlkem_ct: k = %u, round %u: wrong result\n", sets[i]->k, round);
                return 1;
            }
    printf("mlkem_ct: %d exchanges each of ML-KEM-768 and ML-KEM-1024 (keygen, encaps, dk "
           "check, decaps valid + changed)\n", ROUNDS);
    return 0;
}
