/* bmi_route.h: Brightmail verdicts in routing: the router preconditions
 * and the $bmi_* address variables. */
#ifndef MXLAB_BMI_BMI_ROUTE_H
#define MXLAB_BMI_BMI_ROUTE_H

#include "route/route.h"

extern const struct route_feature bmi_route_feature;

#endif
