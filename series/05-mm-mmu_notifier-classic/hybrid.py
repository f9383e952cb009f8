#!/usr/bin/env python3
"""Write this patch's core: our classic notifiers around 6.12's interval notifier.

usage: hybrid.py OURS_C OURS_H BASE_C BASE_H OUT_C OUT_H

OURS_C and OURS_H are mm/mmu_notifier.c and <linux/mmu_notifier.h> as the
next patch leaves them (kernel/ with the later patches' diffs taken back);
BASE_C and BASE_H are 6.12's, as the tree holds them when this patch is
applied. The output takes from ours the classic notifiers, their hooks and
registration, and from 6.12 the interval notifier (its tree, its sequence,
its API), unchanged: the next patch replaces those. Nothing of 6.12 is
stored in the project; it is cut out of the tree by the names below.

What joins the two is written here: the per-mm struct with the fields of
both, the first lines of the file's comment, and a handful of renames in
our hooks (the calls into the range notifier, the fields it initialises).
Every anchor must be found exactly once, and 6.12's file must define
exactly the functions listed below as kept or replaced, or the script
stops: a change to either side that moves an anchor, or adds or drops a
function, is reported, not silently mis-spliced. A change inside a
replaced 6.12 function is not seen here, as it is not by the final file,
which replaces all of 6.12's.
"""
import re
import sys


def die(msg):
    sys.exit(f"hybrid.py: {msg}")


def find(lines, text, exact=False, what=""):
    """Index of the only line that is (exact) or starts with text."""
    hits = [i for i in range(len(lines))
            if (lines[i] == text if exact else lines[i].startswith(text))]
    if len(hits) != 1:
        die(f"{what or text!r}: found {len(hits)} times, expected once")
    return hits[0]


def first(lines, start, text, what):
    """Index of the first line from start on that is text."""
    for i in range(start, len(lines)):
        if lines[i] == text:
            return i
    die(f"{what}: no {text!r} after line {start + 1}")


# 6.12's functions in mm/mmu_notifier.c: the interval notifier's, which
# this patch keeps, and the classic side's, which ours replace.
KEPT = {
    "mn_itree_is_invalidating", "mn_itree_inv_start_range",
    "mn_itree_inv_next", "mn_itree_inv_end", "mmu_interval_read_begin",
    "mn_itree_release", "mn_itree_invalidate",
    "__mmu_interval_notifier_insert", "mmu_interval_notifier_insert",
    "mmu_interval_notifier_insert_locked", "mmu_interval_seq_released",
    "mmu_interval_notifier_remove",
}
REPLACED = {
    "mn_hlist_release", "__mmu_notifier_release",
    "__mmu_notifier_clear_flush_young", "__mmu_notifier_clear_young",
    "__mmu_notifier_test_young", "mn_hlist_invalidate_range_start",
    "__mmu_notifier_invalidate_range_start", "mn_hlist_invalidate_end",
    "__mmu_notifier_invalidate_range_end",
    "__mmu_notifier_arch_invalidate_secondary_tlbs",
    "__mmu_notifier_register", "mmu_notifier_register",
    "find_get_mmu_notifier", "mmu_notifier_get_locked",
    "__mmu_notifier_subscriptions_destroy", "mmu_notifier_unregister",
    "mmu_notifier_free_rcu", "mmu_notifier_put", "mmu_notifier_synchronize",
}


def functions(lines):
    """Names of the functions defined at the top level of a C file."""
    names = []
    for i, line in enumerate(lines):
        if line != "{":
            continue
        j = i - 1
        while j >= 0 and not (lines[j][:1].strip() and "(" in lines[j]):
            j -= 1
        m = re.search(r"(\w+)\(", lines[j]) if j >= 0 else None
        if not m:
            die(f"no function name above the brace at line {i + 1}")
        names.append(m.group(1))
    return names


def head_of(lines, i):
    """First line of the definition at line i: return type and comment."""
    while i > 0 and lines[i - 1] and not lines[i - 1].endswith(
            (";", "}", "*/")) and not lines[i - 1].startswith("#"):
        i -= 1                      # a return type on a line of its own
    if i > 0 and lines[i - 1].endswith("*/"):
        i -= 1
        while not lines[i].startswith("/*"):
            i -= 1
    return i


def body_end(lines, i):
    """Line after the closing brace (and EXPORT) of the definition at i."""
    j = i
    while not lines[j].startswith("}"):
        j += 1
    j += 1
    if j < len(lines) and lines[j].startswith("EXPORT_SYMBOL"):
        j += 1
    return j


def definition(lines, start_text):
    i = find(lines, start_text)
    return lines[head_of(lines, i):body_end(lines, i)]


def replace_once(text, old, new):
    if text.count(old) != 1:
        die(f"{old!r}: found {text.count(old)} times, expected once")
    return text.replace(old, new)


SEPARATOR = "/* " + "-" * 70 + " */"


def section(out, title):
    """Add a section heading to out, after a blank line."""
    if out and out[-1] != "":
        out.append("")
    out += [SEPARATOR, f"/* {title:<70} */", SEPARATOR]


def our_section(lines, title):
    """Our file's section called title, up to the next separator."""
    i = find(lines, f"/* {title}", what=f"section {title!r}")
    if lines[i - 1] != SEPARATOR:
        die(f"section {title!r} has no separator above it")
    j = i + 1
    if lines[j] == SEPARATOR:
        j += 1
    k = j
    while k < len(lines) and lines[k] != SEPARATOR:
        k += 1
    return lines[j:k]


TOP = """\
// SPDX-License-Identifier: GPL-2.0-only
/*
 * MMU notifiers: classic notifiers and the interval-tree range notifier.
 *
 * THE PROTOCOL
 * ============
 *"""

RANGE_FOR_NOW = """\
 * Range subscriptions (struct mmu_interval_notifier) keep, for now, the
 * implementation they had: one collision-retry sequence per mm
 * (invalidate_seq, odd while an invalidation that hit the tree runs) and
 * a deferred list applied when the last invalidation ends. The next patch
 * replaces it; until then its code below is 6.12's, unchanged.
 */"""

STRUCT = """\
/**
 * struct mmu_notifier_subscriptions - the notifier state of one mm
 * @lock: protects @list changes and every field of the range notifier.
 * @list: classic notifiers; changed under @lock, walked under SRCU.
 * @has_itree: set, under mm_take_all_locks(), by the first range insert;
 *	never cleared, so start and end agree on whether to use the tree.
 * @invalidate_seq: the range notifier's collision-retry sequence; odd while
 *	an invalidation that hit the tree runs.
 * @active_invalidate_ranges: invalidations between start and end.
 * @itree: the range subscriptions.
 * @wq: readers and removers waiting for @invalidate_seq to become even.
 * @deferred_list: inserts and removes queued while the sequence is odd.
 */
struct mmu_notifier_subscriptions {
	spinlock_t lock;	/* see the field list above */
	struct hlist_head list;
	bool has_itree;
	unsigned long invalidate_seq;
	unsigned long active_invalidate_ranges;
	struct rb_root_cached itree;
	wait_queue_head_t wq;
	struct hlist_head deferred_list;
};"""


def hybrid_c(ours, base):
    out = TOP.splitlines()
    # The classic paragraphs of our protocol comment.
    a = find(ours, " * Every mm that ever had")
    b = find(ours, " * Range notifiers sit in an interval tree.")
    out += ours[a:b] + RANGE_FOR_NOW.splitlines() + [""]
    # Includes, the SRCU domain, the lockdep map.
    a = find(ours, "#include <linux/err.h>")
    b = head_of(ours, find(ours, "struct mmu_notifier_subscriptions {"))
    out += ours[a:b] + STRUCT.splitlines() + [""]
    a = find(ours, "#define for_each_classic(")
    b = body_end(ours, find(ours, "static inline void mn_may_wait_for_invalidation("))
    out += ours[a:b] + [""]

    # 6.12's interval notifier: from its protocol comment (after the
    # struct) to its release, and the walk of an invalidation.
    a = find(base, "struct mmu_notifier_subscriptions {")
    a = first(base, a, "};", "6.12's struct mmu_notifier_subscriptions")
    b = head_of(base, find(base, "static void mn_hlist_release("))
    section(out, "The interval notifier (6.12's, replaced by the next patch)")
    out += base[a + 1:b]
    out += definition(base, "static int mn_itree_invalidate(") + [""]

    section(out, "Classic notifiers")
    out += our_section(ours, "Classic notifiers")

    hooks = "\n".join(our_section(ours, "Hooks called by the core mm"))
    hooks = replace_once(hooks, "mrn_release(subs, mm);",
                         "mn_itree_release(subs, mm);")
    hooks = replace_once(hooks, "ret = mrn_start(subs, range);",
                         "ret = mn_itree_invalidate(subs, range);")
    if hooks.count("mrn_end(subs, range);") != 2:
        die("expected the two range ends in the hooks")
    hooks = hooks.replace("mrn_end(subs, range);", "mn_itree_inv_end(subs);")
    hooks = replace_once(hooks, "hlist_empty(&subs->deferred)",
                         "hlist_empty(&subs->deferred_list)")
    hooks = replace_once(hooks, "subs->active[0] || subs->active[1]",
                         "subs->active_invalidate_ranges")
    section(out, "Hooks called by the core mm through <linux/mmu_notifier.h>")
    out += hooks.splitlines()

    reg = our_section(ours, "Registration")
    # mrn_enable_tree() goes before mn_register(), which now calls it.
    tree = definition(reg, "static int mrn_enable_tree(")
    a = head_of(reg, find(reg, "static int mrn_enable_tree("))
    if reg[a + len(tree)] != "":
        die("no blank line after mrn_enable_tree()")
    del reg[a:a + len(tree) + 1]
    a = head_of(reg, find(reg, "static int mn_register("))
    reg[a:a] = tree + [""]
    reg = "\n".join(reg)
    reg = replace_once(reg, """\
		INIT_HLIST_HEAD(&fresh->deferred);
		init_waitqueue_head(&fresh->wq);
		/*
		 * Generation 2 is current and nothing given out; 1 counts as
		 * drained. Any such pair would do.
		 */
		fresh->cur_seq = 2;
		fresh->done_seq = 1;
""", """\
		INIT_HLIST_HEAD(&fresh->deferred_list);
		init_waitqueue_head(&fresh->wq);
		/* Even: no invalidation holds the range sequence. */
		fresh->invalidate_seq = 2;
""")
    reg = replace_once(reg, """\
	struct mmu_notifier_subscriptions *subs;

	/*
	 * A secondary MMU""", """\
	struct mmu_notifier_subscriptions *subs;

	/* The interval notifier's first insert asks for its tree this way. */
	if (!sub)
		return mrn_enable_tree(mm);

	/*
	 * A secondary MMU""")
    section(out, "Registration")
    out += reg.splitlines()

    # 6.12's interval notifier API, from insert to remove.
    a = head_of(base, find(base, "static int __mmu_interval_notifier_insert("))
    b = find(base, "EXPORT_SYMBOL_GPL(mmu_interval_notifier_remove);") + 1
    section(out, "The interval notifier's API (6.12's)")
    out += [""] + base[a:b]

    # Every function of 6.12's file is kept once or replaced.
    have = functions(base)
    kept = [f for f in functions(out) if f in KEPT]
    unknown = set(have) - KEPT - REPLACED
    if unknown or set(KEPT | REPLACED) - set(have):
        die(f"6.12's mm/mmu_notifier.c defines {sorted(unknown)} and lacks "
            f"{sorted(set(KEPT | REPLACED) - set(have))}: decide for each "
            "whether the classic rewrite replaces it or this patch keeps it")
    if sorted(kept) != sorted(KEPT):
        die(f"kept {sorted(kept)}, expected each of {sorted(KEPT)} once")
    return out


def hybrid_h(ours, base):
    """Our header with 6.12's interval notifier where 6.12 has it: the
    structs after struct mmu_notifier, the functions after the classic
    declarations (under CONFIG_MMU_NOTIFIER)."""
    out = list(ours)
    i = find(out, "#include <linux/list.h>")
    out.insert(i, "#include <linux/interval_tree.h>")
    a = head_of(base, find(base, "struct mmu_interval_notifier_ops {"))
    b = find(base, "struct mmu_interval_notifier {")
    b = first(base, b, "};", "6.12's struct mmu_interval_notifier") + 1
    c = head_of(base, find(base, "mmu_interval_read_begin(struct mmu_interval_notifier"))
    d = body_end(base, find(base, "mmu_interval_check_retry(struct"))
    i = find(out, "struct mmu_notifier {")
    i = first(out, i, "};", "our struct mmu_notifier") + 1
    ifdef = find(out, "#ifdef CONFIG_MMU_NOTIFIER", exact=True)
    structs = ["",
               "/*",
               " * The interval notifier, as in 6.12 until the next patch; its",
               " * functions are in mm/mmu_notifier.c.",
               " */",
               "struct mmu_interval_notifier;",
               ""] + base[a:b]
    i_decl = find(out, "void mmu_notifier_synchronize(void);") + 1
    # The structs always, the functions only with CONFIG_MMU_NOTIFIER, as
    # in 6.12 (which has no stubs for them).
    if not i < ifdef < i_decl or "#else" in "".join(out[ifdef:i_decl]):
        die("the interval notifier's declarations would not land where "
            "6.12 has them (structs before #ifdef CONFIG_MMU_NOTIFIER, "
            "functions inside it)")
    out[i_decl:i_decl] = [""] + base[c:d]
    out[i:i] = structs
    return out


def main():
    if len(sys.argv) != 7:
        die(__doc__.splitlines()[2])
    ours_c, ours_h, base_c, base_h, out_c, out_h = sys.argv[1:]
    read = lambda p: open(p).read().splitlines()
    c = hybrid_c(read(ours_c), read(base_c))
    h = hybrid_h(read(ours_h), read(base_h))
    with open(out_c, "w") as f:
        f.write("\n".join(c) + "\n")
    with open(out_h, "w") as f:
        f.write("\n".join(h) + "\n")


if __name__ == "__main__":
    main()
