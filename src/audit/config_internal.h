#ifndef FS_AUDIT_CONFIG_INTERNAL_H
#define FS_AUDIT_CONFIG_INTERNAL_H
/* Internal to the audit module: config helpers shared by the pipeline. */
#include "fairshake/audit.h"

/** 1-based line of a dotted key path ("run.concurrency", "targets[0].url") in text. */
size_t fs_config__line_of(const char *text, size_t len, const char *dotted);

/** The dispatcher's view of a configured target (pointers borrowed from t). */
void fs_config__target_spec(fs_target_spec *spec, const fs_config_target *t);

/** Gate names the config accepts. */
extern const char *const fs_config__gate_names[];
extern const size_t fs_config__n_gate_names;

#endif
