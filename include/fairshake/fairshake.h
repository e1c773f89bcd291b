#ifndef FAIRSHAKE_FAIRSHAKE_H
#define FAIRSHAKE_FAIRSHAKE_H
/* The whole public API. */
#include "fairshake/audit.h"
#include "fairshake/scorefile.h"
#include "fairshake/common.h"
#include "fairshake/core.h"
#include "fairshake/dataset.h"
#include "fairshake/perturb.h"
#include "fairshake/demographics.h"
#include "fairshake/identify.h"
#include "fairshake/report.h"
#include "fairshake/score.h"
#include "fairshake/stats.h"
#include "fairshake/store.h"
#include "fairshake/target.h"
#include "fairshake/version.h"
#endif
