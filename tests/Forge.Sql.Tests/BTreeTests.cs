using Forge.Sql.BTree;
using Forge.Sql.Pager;
using Forge.Sql.Records;

namespace Forge.Sql.Tests;

public class BTreeTests
{
    internal static BTreeStore NewStore(int pageSize, long cacheSize = PageManager.DefaultCacheSize) =>
        new(PageManager.Open(new MemoryDatabaseFile(), pageSize, cacheSize));

    private static void AssertIntact(BTreeStore store, params (uint Root, bool Table, KeyInfo KeyInfo)[] trees)
    {
        var all = new List<(uint, bool, KeyInfo)> { (1, true, KeyInfo.Default) };
        all.AddRange(trees);
        var errors = IntegrityCheck.Run(store, all);
        Assert.True(errors.Count == 0, string.Join("\n", errors.Take(10)));
    }

    private static byte[] Payload(Random rng, int pageSize, long rowid)
    {
        var len = rng.Next(10) switch
        {
            0 => rng.Next(pageSize, pageSize * 3),
            1 => rng.Next(pageSize / 2, pageSize),
            _ => rng.Next(0, 60),
        };
        var blob = new byte[len];
        rng.NextBytes(blob);
        return RecordFormat.Encode([SqlValue.FromInteger(rowid), SqlValue.FromBlob(blob)]);
    }

    /// <summary>
    /// Seeks and inserts near the cursor's position are resolved inside its current leaf (no
    /// descent from the root): a walk of reads, same-size overwrites, resizes and gap inserts
    /// around the position, checked against a model and the tree's invariants.
    /// </summary>
    [Theory]
    [InlineData(512, 11)]
    [InlineData(1024, 12)]
    [InlineData(4096, 13)]
    public void Seeks_and_writes_near_the_position_stay_consistent(int pageSize, int seed)
    {
        var rng = new Random(seed);
        using var store = NewStore(pageSize);
        store.Begin();
        var root = store.CreateTree(TreeKind.Table);
        var model = new SortedDictionary<long, byte[]>();
        using var cursor = store.OpenTable(root);
        for (long r = 2; r <= 3000; r += 2)
        {
            var payload = RecordFormat.Encode([SqlValue.FromInteger(r), SqlValue.FromInteger(rng.Next())]);
            cursor.Insert(r, payload);
            model[r] = payload;
        }

        long at = 2;
        for (var step = 0; step < 4000; step++)
        {
            at = Math.Clamp(at + rng.Next(-3, 6), 1, 3100);
            var found = cursor.SeekRowid(at, out var exact);
            var expected = model.Keys.FirstOrDefault(k => k >= at, -1);
            Assert.Equal(expected >= 0, found);
            Assert.Equal(model.ContainsKey(at), exact);
            if (found)
            {
                Assert.Equal(expected, cursor.Rowid);
                Assert.Equal(model[expected], cursor.Payload.ToArray());
            }

            byte[] payload = rng.Next(4) switch
            {
                0 => RecordFormat.Encode([SqlValue.FromInteger(at), SqlValue.FromInteger(rng.Next())]), // same size as most
                1 => RecordFormat.Encode([SqlValue.FromInteger(at), SqlValue.FromBlob(new byte[rng.Next(0, pageSize / 3)])]),
                2 => RecordFormat.Encode([SqlValue.FromInteger(at), SqlValue.FromBlob(new byte[rng.Next(pageSize, pageSize * 2)])]),
                _ => [],
            };
            if (payload.Length > 0)
            {
                cursor.Insert(at, payload);
                model[at] = payload;
                Assert.Equal(at, cursor.Rowid);
                Assert.Equal(payload, cursor.Payload.ToArray());
            }
            else if (exact)
            {
                cursor.Delete();
                model.Remove(at);
            }

            if (step % 500 == 0)
            {
                AssertIntact(store, (root, true, KeyInfo.Default));
            }
        }

        AssertIntact(store, (root, true, KeyInfo.Default));
        var seen = new List<long>();
        for (var ok = cursor.First(); ok; ok = cursor.Next())
        {
            seen.Add(cursor.Rowid);
            Assert.Equal(model[cursor.Rowid], cursor.Payload.ToArray());
        }

        Assert.Equal(model.Keys, seen);
    }

    [Theory]
    [InlineData(512, 1)]
    [InlineData(1024, 2)]
    [InlineData(4096, 3)]
    [InlineData(512, 4, 16)]
    public void Table_tree_stays_valid_under_random_inserts_and_deletes(int pageSize, int seed, int cacheCapacity = 2000)
    {
        var rng = new Random(seed);
        using var store = NewStore(pageSize, cacheCapacity);
        store.Begin();
        var root = store.CreateTree(TreeKind.Table);
        var model = new SortedDictionary<long, byte[]>();
        using var cursor = store.OpenTable(root);
        for (var step = 0; step < 2500; step++)
        {
            var phase = step < 1500 ? 7 : 3; // grow first, then shrink
            if (rng.Next(10) < phase || model.Count == 0)
            {
                var rowid = rng.Next(1, 4000);
                var payload = Payload(rng, pageSize, rowid);
                cursor.Insert(rowid, payload);
                model[rowid] = payload;
                Assert.Equal(rowid, cursor.Rowid);
            }
            else
            {
                var rowid = model.Keys.ElementAt(rng.Next(model.Count));
                Assert.True(cursor.SeekRowid(rowid, out var exact));
                Assert.True(exact);
                cursor.Delete();
                model.Remove(rowid);
                var expectedNext = model.Keys.Where(k => k > rowid).Cast<long?>().FirstOrDefault();
                Assert.Equal(expectedNext.HasValue, cursor.Next());
                if (expectedNext.HasValue)
                {
                    Assert.Equal(expectedNext.Value, cursor.Rowid);
                }
            }

            if (step % 50 == 0 || step > 2400)
            {
                AssertIntact(store, (root, true, KeyInfo.Default));
                AssertSame(cursor, model);
                var fill = IntegrityCheck.AverageFill(store, root, true);
                Assert.True(fill >= 0.45, $"average page fill {fill:F2} at step {step}");
            }
        }

        // Drain everything: every page but the root goes back to the freelist.
        foreach (var rowid in model.Keys.ToList())
        {
            Assert.True(cursor.SeekRowid(rowid, out var exact) && exact);
            cursor.Delete();
        }

        AssertIntact(store, (root, true, KeyInfo.Default));
        Assert.False(cursor.First());
        store.DropTree(root);
        AssertIntact(store);
        Assert.Equal(store.Pager.PageCount - 1, store.Pager.FreelistCount);
        store.Commit();
        Assert.True(store.Pager.CachedPages <= Math.Max(cacheCapacity, 16));
    }

    private static void AssertSame(BTreeCursor cursor, SortedDictionary<long, byte[]> model)
    {
        var n = 0;
        using var e = model.GetEnumerator();
        for (var ok = cursor.First(); ok; ok = cursor.Next())
        {
            Assert.True(e.MoveNext());
            Assert.Equal(e.Current.Key, cursor.Rowid);
            Assert.True(cursor.Payload.Span.SequenceEqual(e.Current.Value));
            n++;
        }

        Assert.Equal(model.Count, n);
        // And backwards.
        var back = model.Keys.Reverse().GetEnumerator();
        for (var ok = cursor.Last(); ok; ok = cursor.Prev())
        {
            Assert.True(back.MoveNext());
            Assert.Equal(back.Current, cursor.Rowid);
        }

        Assert.False(back.MoveNext());
    }

    private sealed class RecordComparer(KeyInfo info) : IComparer<byte[]>
    {
        public int Compare(byte[]? x, byte[]? y) => SqlComparer.CompareRecords(x!, y!, info);
    }

    [Theory]
    [InlineData(512, 11)]
    [InlineData(4096, 12)]
    public void Index_tree_stays_valid_under_random_inserts_and_deletes(int pageSize, int seed)
    {
        var rng = new Random(seed);
        var info = new KeyInfo([Collation.NoCase], [false]);
        using var store = NewStore(pageSize);
        store.Begin();
        var root = store.CreateTree(TreeKind.Index);
        var model = new SortedSet<byte[]>(new RecordComparer(info));
        using var cursor = store.OpenIndex(root, info);
        long nextRowid = 1;
        for (var step = 0; step < 2000; step++)
        {
            if (rng.Next(10) < (step < 1200 ? 7 : 3) || model.Count == 0)
            {
                var len = rng.Next(8) == 0 ? rng.Next(pageSize / 3, pageSize * 2) : rng.Next(0, 40);
                var chars = new char[len];
                for (var i = 0; i < len; i++)
                {
                    chars[i] = (char)('A' + rng.Next(52) % 26 + (rng.Next(2) * 32));
                }

                var key = RecordFormat.Encode([SqlValue.FromText(new string(chars)), SqlValue.FromInteger(nextRowid++)]);
                cursor.Insert(key);
                model.Add(key);
                Assert.True(cursor.Payload.Span.SequenceEqual(key));
            }
            else
            {
                var key = model.ElementAt(rng.Next(model.Count));
                var values = RecordFormat.DecodeAll(key);
                Assert.True(cursor.Seek(values, SeekOp.GE));
                Assert.Equal(0, cursor.CompareCurrent(values));
                cursor.Delete();
                model.Remove(key);
                var next = model.FirstOrDefault(k => model.Comparer.Compare(k, key) > 0);

                Assert.Equal(next is not null, cursor.Next());
                if (next is not null)
                {
                    Assert.True(cursor.Payload.Span.SequenceEqual(next));
                }
            }

            if (step % 50 == 0 || step > 1950)
            {
                AssertIntact(store, (root, false, info));
                var fill = IntegrityCheck.AverageFill(store, root, false);
                Assert.True(fill >= 0.45, $"average page fill {fill:F2} at step {step}");
                var list = new List<byte[]>();
                for (var ok = cursor.First(); ok; ok = cursor.Next())
                {
                    list.Add(cursor.Payload.ToArray());
                }

                Assert.Equal(model.Count, list.Count);
                Assert.True(model.Zip(list).All(p => p.First.AsSpan().SequenceEqual(p.Second)));
            }
        }

        store.DropTree(root);
        AssertIntact(store);
        store.Commit();
    }

    [Fact]
    public void Index_seeks_by_prefix_in_all_four_directions()
    {
        using var store = NewStore(512);
        store.Begin();
        var root = store.CreateTree(TreeKind.Index);
        using var cursor = store.OpenIndex(root, KeyInfo.Ascending(1));
        long rowid = 0;
        for (var a = 0; a < 300; a += 2)
        {
            for (var r = 0; r < 3; r++)
            {
                cursor.Insert(RecordFormat.Encode([SqlValue.FromInteger(a), SqlValue.FromInteger(++rowid)]));
            }
        }

        AssertIntact(store, (root, false, KeyInfo.Ascending(1)));
        SqlValue[] k100 = [SqlValue.FromInteger(100)];
        Assert.True(cursor.Seek(k100, SeekOp.GE));
        Assert.Equal(100, cursor.Record.GetInt64(0));
        Assert.Equal(151, cursor.IndexRowid()); // first of the three entries for 100
        Assert.True(cursor.Seek(k100, SeekOp.GT));
        Assert.Equal(102, cursor.Record.GetInt64(0));
        Assert.True(cursor.Seek(k100, SeekOp.LE));
        Assert.Equal(100, cursor.Record.GetInt64(0));
        Assert.Equal(153, cursor.IndexRowid()); // last of the three
        Assert.True(cursor.Seek(k100, SeekOp.LT));
        Assert.Equal(98, cursor.Record.GetInt64(0));
        SqlValue[] k101 = [SqlValue.FromInteger(101)];
        Assert.True(cursor.Seek(k101, SeekOp.GE));
        Assert.Equal(102, cursor.Record.GetInt64(0));
        Assert.True(cursor.Seek(k101, SeekOp.LE));
        Assert.Equal(100, cursor.Record.GetInt64(0));
        Assert.False(cursor.Seek([SqlValue.FromInteger(1000)], SeekOp.GE));
        Assert.True(cursor.Seek([SqlValue.FromInteger(1000)], SeekOp.LT));
        Assert.Equal(298, cursor.Record.GetInt64(0));
        Assert.False(cursor.Seek([SqlValue.FromInteger(-1)], SeekOp.LE));
        Assert.True(cursor.Seek([SqlValue.Null], SeekOp.GT));
        Assert.Equal(0, cursor.Record.GetInt64(0));
        store.Commit();
    }

    [Fact]
    public void Another_cursor_on_the_same_tree_keeps_its_place_across_changes()
    {
        using var store = NewStore(512);
        store.Begin();
        var root = store.CreateTree(TreeKind.Table);
        using var writer = store.OpenTable(root);
        using var reader = store.OpenTable(root);
        for (var i = 1; i <= 500; i += 2)
        {
            writer.Insert(i, RecordFormat.Encode([SqlValue.FromInteger(i)]));
        }

        Assert.True(reader.SeekRowid(201, out _));
        for (var i = 2; i <= 500; i += 2)
        {
            writer.Insert(i, RecordFormat.Encode([SqlValue.FromText(new string('x', 100))]));
        }

        Assert.Equal(201, reader.Rowid);
        Assert.True(reader.Next());
        Assert.Equal(202, reader.Rowid);
        Assert.True(writer.SeekRowid(202, out _));
        writer.Delete();
        Assert.True(reader.Next()); // its row is gone: it moves to the next one
        Assert.Equal(203, reader.Rowid);
        Assert.Equal(500, writer.MaxRowid());
        store.Commit();
    }

    [Fact]
    public void Rollback_restores_pages_and_page_count()
    {
        using var store = NewStore(1024);
        store.Begin();
        var root = store.CreateTree(TreeKind.Table);
        using (var c = store.OpenTable(root))
        {
            for (var i = 1; i <= 200; i++)
            {
                c.Insert(i, RecordFormat.Encode([SqlValue.FromInteger(i), SqlValue.FromText(new string('a', 50))]));
            }
        }

        store.Commit();
        var pages = store.Pager.PageCount;
        store.Begin();
        using (var c = store.OpenTable(root))
        {
            for (var i = 201; i <= 2000; i++)
            {
                c.Insert(i, RecordFormat.Encode([SqlValue.FromText(new string('b', 300))]));
            }

            Assert.True(c.SeekRowid(5, out _));
            c.Delete();
        }

        store.Rollback();
        Assert.Equal(pages, store.Pager.PageCount);
        using var check = store.OpenTable(root);
        var n = 0;
        for (var ok = check.First(); ok; ok = check.Next())
        {
            n++;
            Assert.Equal(n, check.Rowid);
        }

        Assert.Equal(200, n);
        AssertIntact(store, (root, true, KeyInfo.Default));
    }

    [Fact]
    public void Scanning_a_table_and_reading_columns_allocates_nothing_per_row()
    {
        using var store = NewStore(1024);
        store.Begin();
        var root = store.CreateTree(TreeKind.Table);
        using var cursor = store.OpenTable(root);
        for (var i = 1; i <= 5000; i++)
        {
            var text = new string('t', i % 100 == 0 ? 3000 : i % 40);
            cursor.Insert(i, RecordFormat.Encode([SqlValue.FromInteger(i), SqlValue.FromText(text), SqlValue.FromReal(i / 4.0)]));
        }

        store.Commit();
        long Scan()
        {
            long sum = 0;
            for (var ok = cursor.First(); ok; ok = cursor.Next())
            {
                var r = cursor.Record;
                sum += cursor.Rowid + r.GetInt64(0) + r.GetValue(1).Bytes.Length + (long)r.GetValue(2).AsReal;
            }

            return sum;
        }

        var expected = Scan();

        // The least of three scans: tiered JIT work landing on this thread during one scan (seen
        // when the machine is loaded) is not the scan's own allocation; a per-row allocation would
        // show in every scan (5000 rows).
        var allocated = long.MaxValue;
        for (var attempt = 0; attempt < 3; attempt++)
        {
            var before = GC.GetAllocatedBytesForCurrentThread();
            Assert.Equal(expected, Scan());
            allocated = Math.Min(allocated, GC.GetAllocatedBytesForCurrentThread() - before);
        }

        Assert.True(allocated < 2000, $"{allocated} bytes allocated scanning 5000 rows");
    }
}
