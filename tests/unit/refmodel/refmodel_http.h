#ifndef FS_TEST_REFMODEL_HTTP_H
#define FS_TEST_REFMODEL_HTTP_H
/* One HTTP request to a running fairshake-refmodel fixture (the refmodel suites). */
#include "../../support/refmodel_fixture.h"
#include "core/json.h"

/** GET path (body NULL) or POST the JSON body to it; returns the HTTP status (0 on a
 *  transport error) and the parsed body in *out (NULL when it is not JSON; the caller
 *  cJSON_Deletes it). */
long refmodel_http(const fs_test_refmodel *rm, const char *path, const char *body, cJSON **out);

#endif
