// Container tests run one at a time on purpose: each one starts real containers, and the cleanup
// check after each test compares the host's cgroup directories before and after it, which only
// means something when no other test creates containers meanwhile.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
