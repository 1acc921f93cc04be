/* vmx/entry_probe.h - one VMLAUNCH whose VM exit returns to the caller (vmx/entry_probe.S). */
#ifndef VMX_ENTRY_PROBE_H
#define VMX_ENTRY_PROBE_H

/* VMLAUNCH of the current VMCS: 1 VMfailInvalid, 2 VMfailValid, 0 after a VM exit (a VM-entry
 * failure exit included), which needs HOST_RIP = vmx_entry_probe_exit. */
int vmx_entry_probe(void);
extern char vmx_entry_probe_exit[];

#endif
