/* scenarios/vms.h - running the VMs the command line and the config module describe (vms.c),
 * for the scenarios that show something about such VMs. */
#ifndef SCENARIOS_VMS_H
#define SCENARIOS_VMS_H

#include <stdbool.h>

/* Run every described VM to its end and print the summaries: true when all started and
 * ended at their own request (the vms scenario's verdict). */
bool vms_run_described(void);

#endif
