/*
 * layout.c - what the C compiler thinks of the types in tlsm.h, for the drift test in
 * tests/header_drift.rs: the Rust declarations in src/lib.rs must have the same sizes,
 * alignments and field offsets. Built by build.rs against the header that is linked.
 */
#include <stddef.h>
#include "tlsm.h"

enum {
    TLSM_SYS_LAYOUT_EVENT_SIZE,
    TLSM_SYS_LAYOUT_EVENT_ALIGN,
    TLSM_SYS_LAYOUT_EVENT_TYPE,
    TLSM_SYS_LAYOUT_EVENT_CODE,
    TLSM_SYS_LAYOUT_EVENT_ALERT,
    TLSM_SYS_LAYOUT_EVENT_FATAL,
    TLSM_SYS_LAYOUT_EVENT_MSG_TYPE,
    TLSM_SYS_LAYOUT_EVENT_CCS,
    TLSM_SYS_LAYOUT_ROLE_SIZE,
    TLSM_SYS_LAYOUT_EVENT_TYPE_SIZE,
    TLSM_SYS_LAYOUT_VERIFY_MODE_SIZE,
    TLSM_SYS_LAYOUT_EVENT_TYPE_SIGNED,
    TLSM_SYS_LAYOUT_TRUST_REJECT_SIZE,
    TLSM_SYS_LAYOUT_TRUST_REPORT_SIZE,
    TLSM_SYS_LAYOUT_TRUST_REPORT_REJECTS,
    TLSM_SYS_LAYOUT_TRUST_REJECT_CODE,
    TLSM_SYS_LAYOUT_VERIFY_RESULT_SIZE,
    TLSM_SYS_LAYOUT_VERIFY_RESULT_ALIGN,
    TLSM_SYS_LAYOUT_VERIFY_RESULT_PATH_ANCHOR,
    TLSM_SYS_LAYOUT_VERIFY_RESULT_TIME,
    TLSM_SYS_LAYOUT_CERT_FACTS_SIZE,
    TLSM_SYS_LAYOUT_CERT_FACTS_SERIAL_LEN,
    TLSM_SYS_LAYOUT_ERROR_DETAIL_SIZE,
    TLSM_SYS_LAYOUT_ERROR_DETAIL_LINE,
    TLSM_SYS_LAYOUT_ERROR_DETAIL_ALERT_SENT,
    TLSM_SYS_LAYOUT_PAIR_REPORT_SIZE,
    TLSM_SYS_LAYOUT_PAIR_REPORT_REASON,
    TLSM_SYS_LAYOUT_VERIFY_CACHE_STATS_SIZE,
    TLSM_SYS_LAYOUT_VERIFY_CACHE_STATS_CAPACITY,
    TLSM_SYS_LAYOUT_COUNT
};

long tlsm_sys_layout(int what);
long tlsm_sys_layout(int what)
{
    switch (what) {
    case TLSM_SYS_LAYOUT_EVENT_SIZE: return (long)sizeof(tlsm_event);
    case TLSM_SYS_LAYOUT_EVENT_ALIGN: return (long)_Alignof(tlsm_event);
    case TLSM_SYS_LAYOUT_EVENT_TYPE: return (long)offsetof(tlsm_event, type);
    case TLSM_SYS_LAYOUT_EVENT_CODE: return (long)offsetof(tlsm_event, code);
    case TLSM_SYS_LAYOUT_EVENT_ALERT: return (long)offsetof(tlsm_event, alert);
    case TLSM_SYS_LAYOUT_EVENT_FATAL: return (long)offsetof(tlsm_event, fatal);
    case TLSM_SYS_LAYOUT_EVENT_MSG_TYPE: return (long)offsetof(tlsm_event, msg_type);
    case TLSM_SYS_LAYOUT_EVENT_CCS: return (long)offsetof(tlsm_event, ccs);
    case TLSM_SYS_LAYOUT_ROLE_SIZE: return (long)sizeof(tlsm_role);
    case TLSM_SYS_LAYOUT_EVENT_TYPE_SIZE: return (long)sizeof(tlsm_event_type);
    case TLSM_SYS_LAYOUT_VERIFY_MODE_SIZE: return (long)sizeof(tlsm_verify_mode);
    case TLSM_SYS_LAYOUT_EVENT_TYPE_SIGNED: {
        tlsm_event_type all_ones = (tlsm_event_type)-1;
        return all_ones > (tlsm_event_type)0 ? 0 : 1;
    }
    case TLSM_SYS_LAYOUT_TRUST_REJECT_SIZE: return (long)sizeof(tlsm_trust_reject);
    case TLSM_SYS_LAYOUT_TRUST_REPORT_SIZE: return (long)sizeof(tlsm_trust_report);
    case TLSM_SYS_LAYOUT_TRUST_REPORT_REJECTS: return (long)offsetof(tlsm_trust_report, rejects);
    case TLSM_SYS_LAYOUT_TRUST_REJECT_CODE: return (long)offsetof(tlsm_trust_reject, code);
    case TLSM_SYS_LAYOUT_VERIFY_RESULT_SIZE: return (long)sizeof(tlsm_verify_result);
    case TLSM_SYS_LAYOUT_VERIFY_RESULT_ALIGN: return (long)_Alignof(tlsm_verify_result);
    case TLSM_SYS_LAYOUT_VERIFY_RESULT_PATH_ANCHOR:
        return (long)offsetof(tlsm_verify_result, path_anchor);
    case TLSM_SYS_LAYOUT_VERIFY_RESULT_TIME: return (long)offsetof(tlsm_verify_result, time);
    case TLSM_SYS_LAYOUT_CERT_FACTS_SIZE: return (long)sizeof(tlsm_cert_facts);
    case TLSM_SYS_LAYOUT_CERT_FACTS_SERIAL_LEN: return (long)offsetof(tlsm_cert_facts, serial_len);
    case TLSM_SYS_LAYOUT_ERROR_DETAIL_SIZE: return (long)sizeof(tlsm_error_detail);
    case TLSM_SYS_LAYOUT_ERROR_DETAIL_LINE: return (long)offsetof(tlsm_error_detail, line);
    case TLSM_SYS_LAYOUT_ERROR_DETAIL_ALERT_SENT:
        return (long)offsetof(tlsm_error_detail, alert_sent);
    case TLSM_SYS_LAYOUT_PAIR_REPORT_SIZE: return (long)sizeof(tlsm_pair_report);
    case TLSM_SYS_LAYOUT_PAIR_REPORT_REASON: return (long)offsetof(tlsm_pair_report, reason);
    case TLSM_SYS_LAYOUT_VERIFY_CACHE_STATS_SIZE: return (long)sizeof(tlsm_verify_cache_stats);
    case TLSM_SYS_LAYOUT_VERIFY_CACHE_STATS_CAPACITY:
        return (long)offsetof(tlsm_verify_cache_stats, capacity);
    default: return -1;
    }
}
