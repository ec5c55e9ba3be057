package tlsm

/*
#include <stdlib.h>
#include "hooks.h"
*/
import "C"

import (
	"errors"
	"fmt"
	"time"
	"unsafe"
)

// CertPurpose is what VerifyChain checks a certificate for.
type CertPurpose int

const (
	// PurposeServer: a server certificate, as a client checks it (extendedKeyUsage, where
	// present on the leaf or an issuer, must allow serverAuth).
	PurposeServer CertPurpose = 0
	// PurposeClient: a client certificate, as a server checks it (clientAuth).
	PurposeClient CertPurpose = 1
)

// VerifyOptions are the inputs of VerifyChain besides the certificates.
type VerifyOptions struct {
	// Roots are the trust anchors; nil means the system's store.
	Roots *CertPool
	// Name is the DNS name or IP literal the leaf must carry (RFC 6125: no CN fallback,
	// "*" only as a whole left-most label, IPs only against IP SANs); "" checks no name.
	Name string
	// Purpose is PurposeServer (the default) or PurposeClient.
	Purpose CertPurpose
	// CurrentTime is the validation time; zero means the system clock.
	CurrentTime time.Time
	// MaxDepth is the most certificates on the path, leaf and anchor included; 0 means
	// the handshake's default.
	MaxDepth int
}

// A PathCert is one certificate of a verified path.
type PathCert struct {
	// Input is its index in the certificates given to VerifyChain, or -1 for a trust
	// anchor that was not among them.
	Input int
	// Anchor is its index among the trust anchors (Roots, in the order they were added,
	// duplicates skipped), or -1.
	Anchor int
	// Raw is the DER certificate.
	Raw []byte
}

// A VerifiedChain is the path VerifyChain built, leaf first and trust anchor last.
type VerifiedChain struct {
	Path []PathCert
	// Time is the validation time used.
	Time time.Time
}

// Fault values of a VerifyError.
const (
	FaultNone   = -1 // no single certificate is at fault
	FaultAnchor = -2 // a trust anchor is (VerifyError.Anchor)
)

// VerifyError is a chain that did not verify: the reason (an *Error whose Code is one of
// the ErrCert* codes, or ErrArg, ErrNoCert) and the certificate at fault. errors.Is(err,
// tlsm.ErrCertExpired) matches the reason.
type VerifyError struct {
	Err *Error
	// Fault is the index of the certificate at fault in the input, FaultNone, or
	// FaultAnchor (then Anchor is the trust anchor's index).
	Fault  int
	Anchor int
}

func (e *VerifyError) Error() string {
	switch {
	case e.Fault >= 0:
		return fmt.Sprintf("%v (certificate %d)", e.Err, e.Fault)
	case e.Fault == FaultAnchor:
		return fmt.Sprintf("%v (trust anchor %d)", e.Err, e.Anchor)
	}
	return e.Err.Error()
}

func (e *VerifyError) Unwrap() error { return e.Err }

// VerifyChain checks a certificate chain as a handshake does, without one: certs[0] is
// the end-entity certificate (DER), the others untrusted intermediates in any order
// (extras are allowed, but every one must parse). It runs the verifier the handshake
// uses (tlsm_verify_chain), so the same chain, name, purpose and time give the same
// verdict and reason as a handshake (Error.Verify). On success it returns the built path;
// otherwise a *VerifyError, or an error matching ErrArg for a Name holding a NUL byte.
func VerifyChain(certs [][]byte, opts VerifyOptions) (*VerifiedChain, error) {
	if opts.Purpose != PurposeServer && opts.Purpose != PurposeClient {
		return nil, &VerifyError{Err: &Error{Code: codeArg}, Fault: FaultNone, Anchor: -1}
	}
	if opts.MaxDepth < 0 {
		return nil, &VerifyError{Err: &Error{Code: codeArg}, Fault: FaultNone, Anchor: -1}
	}
	cfg := C.tlsm_config_new(C.TLSM_ROLE_CLIENT)
	if cfg == nil {
		return nil, &Error{Code: codeNoMem}
	}
	defer C.tlsm_config_free(cfg)
	roots := opts.Roots
	if roots == nil {
		roots = SystemCertPool()
	}
	if roots.system {
		var added C.size_t
		_ = C.tlsm_config_load_system_trust(cfg, &added)
	}
	for i, der := range roots.der {
		p, k := cbytes(der)
		rc := C.tlsm_config_add_trust_der(cfg, p, k)
		C.free(unsafe.Pointer(p))
		if rc != 0 {
			return nil, &configErr{field: fmt.Sprintf("VerifyOptions.Roots certificate %d", i), err: &Error{Code: int(rc)}}
		}
	}
	when := C.int64_t(C.TLSM_VERIFY_TIME_NOW)
	if !opts.CurrentTime.IsZero() {
		when = C.int64_t(opts.CurrentTime.Unix())
	}
	return verifyOn(cfg, certs, opts.Name, opts.Purpose, when, opts.MaxDepth)
}

// verifyOn runs tlsm_verify_chain with trust's anchors (and clock, for
// TLSM_VERIFY_TIME_NOW). trust is not changed: a frozen config may be shared.
func verifyOn(trust *C.tlsm_config, certs [][]byte, peerName string, purpose CertPurpose, when C.int64_t, depth int) (*VerifiedChain, error) {
	var name *C.char
	if peerName != "" {
		var err error
		if name, err = cString("VerifyOptions.Name", peerName); err != nil {
			return nil, err
		}
		defer C.free(unsafe.Pointer(name))
	}
	// The certificates and the arrays describing them live in C memory for the call.
	// (At least one slot, so that no certificates is TLSM_ERR_NO_CERT, not a NULL array.)
	n := len(certs)
	slots := C.size_t(max(n, 1))
	ptrs := (**C.uint8_t)(C.calloc(slots, C.size_t(unsafe.Sizeof((*C.uint8_t)(nil)))))
	lens := (*C.size_t)(C.calloc(slots, C.size_t(unsafe.Sizeof(C.size_t(0)))))
	defer C.free(unsafe.Pointer(ptrs))
	defer C.free(unsafe.Pointer(lens))
	if ptrs == nil || lens == nil {
		return nil, &Error{Code: codeNoMem}
	}
	ps, ls := unsafe.Slice(ptrs, n), unsafe.Slice(lens, n)
	for i, der := range certs {
		ps[i], ls[i] = cbytes(der)
	}
	defer func() {
		for _, p := range ps {
			C.free(unsafe.Pointer(p))
		}
	}()
	var r C.tlsm_verify_result
	rc := C.tlsm_verify_chain(trust, ptrs, lens, C.size_t(n), name, C.int(purpose), when, C.size_t(depth), &r)
	if rc != 0 {
		return nil, &VerifyError{Err: &Error{Code: int(rc)}, Fault: int(r.fault), Anchor: int(r.fault_anchor)}
	}
	out := &VerifiedChain{Time: time.Unix(int64(r.time), 0)}
	for i := 0; i < int(r.path_len) && i < C.TLSM_VERIFY_MAX_PATH; i++ {
		pc := PathCert{Input: int(r.path_input[i]), Anchor: int(r.path_anchor[i])}
		switch {
		case pc.Input >= 0 && pc.Input < n:
			pc.Raw = append([]byte(nil), certs[pc.Input]...)
		case pc.Anchor >= 0:
			var k C.size_t
			pc.Raw = goBytes(C.tlsm_config_trust_cert(trust, C.size_t(pc.Anchor), &k), k)
		}
		out.Path = append(out.Path, pc)
	}
	if len(out.Path) == 0 {
		return nil, errors.New("tlsm: verify_chain reported success without a path")
	}
	return out, nil
}
