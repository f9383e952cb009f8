// Rename the 6.12 interval notifier API to the range notifier API.
// Where a file that uses it includes <linux/mmu_notifier.h>, include
// <linux/mmu_range_notifier.h> right after it.
// Options: --no-includes

@struct_name@
@@
  struct
(
- mmu_interval_notifier
+ mmu_range_notifier
|
- mmu_interval_notifier_ops
+ mmu_range_notifier_ops
)

@function_name@
symbol mmu_interval_notifier_insert;
symbol mmu_interval_notifier_insert_locked;
symbol mmu_interval_notifier_remove;
symbol mmu_interval_read_begin;
symbol mmu_interval_read_retry;
symbol mmu_interval_check_retry;
symbol mmu_interval_set_seq;
@@
(
- mmu_interval_notifier_insert
+ mmu_range_notifier_insert
|
- mmu_interval_notifier_insert_locked
+ mmu_range_notifier_insert_locked
|
- mmu_interval_notifier_remove
+ mmu_range_notifier_remove
|
- mmu_interval_read_begin
+ mmu_range_read_begin
|
- mmu_interval_read_retry
+ mmu_range_read_retry
|
- mmu_interval_check_retry
+ mmu_range_check_retry
|
- mmu_interval_set_seq
+ mmu_range_set_seq
)

@depends on struct_name || function_name@
@@
  #include <linux/mmu_notifier.h>
+ #include <linux/mmu_range_notifier.h>
