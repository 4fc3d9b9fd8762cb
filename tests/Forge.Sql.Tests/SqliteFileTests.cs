using System.Text;
using Forge.Sql.BTree;
using Forge.Sql.Pager;
using Forge.Sql.Records;
using Forge.Sql.Schema;
using Forge.Testing;

namespace Forge.Sql.Tests;

/// <summary>Files written by Debian's sqlite3 3.40 read through our cursors, and files we write checked by sqlite3.</summary>
public class SqliteFileTests
{
    private static string Populate(int pageSize, bool vacuum, int rows = 2500) => $"""
        PRAGMA page_size={pageSize};
        CREATE TABLE t(a INTEGER, b TEXT, c BLOB, d);
        CREATE INDEX ti ON t(b, a);
        CREATE TABLE u(id INTEGER PRIMARY KEY, v TEXT);
        CREATE TABLE w(k TEXT UNIQUE, n);
        WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i+1 FROM n WHERE i<{rows})
        INSERT INTO t SELECT
          CASE WHEN i%7=0 THEN NULL ELSE i*i*(i%3-1)*100003 END,
          CASE WHEN i%5=0 THEN NULL ELSE replace(hex(zeroblob((i*37)%(CASE WHEN i%50=0 THEN {pageSize * 2} ELSE 90 END))),'00','ab') || i END,
          CASE WHEN i%30=0 THEN randomblob((i*131)%{pageSize * 3}) WHEN i%3=0 THEN randomblob(i%300) ELSE NULL END,
          CASE WHEN i%4=0 THEN NULL ELSE i*0.25 END
        FROM n;
        DELETE FROM t WHERE a % 11 = 1 OR rowid % 13 = 0;
        INSERT INTO u(v) SELECT b FROM t WHERE rowid%2=0;
        INSERT INTO w SELECT 'k' || rowid, rowid FROM t WHERE rowid < 700;
        DELETE FROM u WHERE id % 5 = 0;
        {(vacuum ? "VACUUM;" : "")}
        """;

    [Theory]
    [InlineData(512, false)]
    [InlineData(1024, true)]
    [InlineData(4096, false)]
    [InlineData(65536, true)]
    public void Cursors_read_every_row_and_index_entry_sqlite3_wrote(int pageSize, bool vacuum)
    {
        Assert.True(Sqlite3.Available, "sqlite3 is not installed");
        using var dir = new TempDir();
        var path = dir.File("t.db");
        Sqlite3.Run(path, Populate(pageSize, vacuum));
        var expectedT = Sqlite3.Run(path, "SELECT rowid, quote(a), quote(b), quote(c), quote(d) FROM t ORDER BY rowid;");
        var expectedTi = Sqlite3.Run(path, "SELECT quote(b), quote(a), rowid FROM t ORDER BY b, a, rowid;");
        var expectedU = Sqlite3.Run(path, "SELECT id, quote(v) FROM u ORDER BY id;");
        var expectedW = Sqlite3.Run(path, "SELECT quote(k), rowid FROM w ORDER BY k;");

        using var store = new BTreeStore(PageManager.Open(path, readOnly: true));
        Assert.Equal(pageSize, store.Pager.PageSize);
        var schema = SchemaTable.ReadAll(store);
        uint Root(string name) => (uint)schema.Single(r => r.Name == name).RootPage;
        Assert.Equal("CREATE TABLE t(a INTEGER, b TEXT, c BLOB, d)", schema.Single(r => r.Name == "t").Sql);
        Assert.Null(schema.Single(r => r.Name == "sqlite_autoindex_w_1").Sql);

        Assert.Equal(expectedT, Sqlite3.Lines(ReadTable(store, Root("t"), 4)));
        Assert.Equal(expectedU, Sqlite3.Lines(ReadTable(store, Root("u"), 2).Select(l => RemoveNullId(l))));
        Assert.Equal(expectedTi, Sqlite3.Lines(ReadIndex(store, Root("ti"), KeyInfo.Ascending(2))));
        Assert.Equal(expectedW, Sqlite3.Lines(ReadIndex(store, Root("sqlite_autoindex_w_1"), KeyInfo.Ascending(1))));

        var trees = schema.Where(r => r.RootPage > 0).Select(r => ((uint)r.RootPage, r.Type == "table", KeyInfo.Ascending(2))).Prepend((1u, true, KeyInfo.Default));
        Assert.Empty(IntegrityCheck.Run(store, trees));
    }

    private static string RemoveNullId(string line)
    {
        // u's INTEGER PRIMARY KEY is stored as NULL in the record: the rowid is the id.
        var parts = line.Split('|');
        Assert.Equal("NULL", parts[1]);
        return parts[0] + "|" + parts[2];
    }

    private static List<string> ReadTable(BTreeStore store, uint root, int columns)
    {
        var rows = new List<string>();
        using var cursor = store.OpenTable(root);
        for (var ok = cursor.First(); ok; ok = cursor.Next())
        {
            var r = cursor.Record;
            var fields = new List<string> { cursor.Rowid.ToString(System.Globalization.CultureInfo.InvariantCulture) };
            for (var i = 0; i < columns; i++)
            {
                fields.Add(Sqlite3.Quote(r.GetValue(i)));
            }

            rows.Add(Sqlite3.Row(fields));
        }

        // Backwards gives the same rows reversed.
        var n = rows.Count;
        for (var ok = cursor.Last(); ok; ok = cursor.Prev())
        {
            n--;
            Assert.StartsWith(cursor.Rowid + "|", rows[n], StringComparison.Ordinal);
        }

        Assert.Equal(0, n);
        return rows;
    }

    private static List<string> ReadIndex(BTreeStore store, uint root, KeyInfo info)
    {
        var rows = new List<string>();
        using var cursor = store.OpenIndex(root, info);
        for (var ok = cursor.First(); ok; ok = cursor.Next())
        {
            var r = cursor.Record;
            var fields = new List<string>();
            for (var i = 0; i < r.ColumnCount; i++)
            {
                fields.Add(Sqlite3.Quote(r.GetValue(i)));
            }

            rows.Add(Sqlite3.Row(fields));
        }

        return rows;
    }

    [Theory]
    [InlineData(512, 20, 2000)]
    [InlineData(1024, 21, 3000)]
    [InlineData(4096, 22, 3000)]
    [InlineData(65536, 23, 600)]
    public void Sqlite3_accepts_a_database_we_wrote(int pageSize, int seed, int rows)
    {
        Assert.True(Sqlite3.Available, "sqlite3 is not installed");
        using var dir = new TempDir();
        var path = dir.File("ours.db");
        var rng = new Random(seed);
        var model = new SortedDictionary<long, (long? A, string B, byte[]? C)>();
        var info = KeyInfo.Ascending(1);
        uint root, indexRoot;
        using (var store = BTreeStore.Open(path, pageSize))
        {
            store.Begin();
            root = store.CreateTree(TreeKind.Table);
            SchemaTable.Insert(store, "table", "t", "t", root, "CREATE TABLE t(a INTEGER, b TEXT, c BLOB)");
            indexRoot = store.CreateTree(TreeKind.Index);
            SchemaTable.Insert(store, "index", "ti", "t", indexRoot, "CREATE INDEX ti ON t(b)");
            using var table = store.OpenTable(root);
            using var index = store.OpenIndex(indexRoot, info);
            for (var i = 0; i < rows; i++)
            {
                var rowid = table.MaxRowid() + 1 + rng.Next(3);
                long? a = rng.Next(6) == 0 ? null : rng.NextInt64(long.MinValue, long.MaxValue) >> rng.Next(64);
                var b = RandomText(rng, rng.Next(pageSize >= 65536 ? 100 : 20) == 0 ? rng.Next(pageSize, pageSize * 2) : rng.Next(0, 30));
                byte[]? c = rng.Next(3) == 0 ? null : new byte[rng.Next(pageSize >= 65536 ? 40 : 8) == 0 ? rng.Next(pageSize, pageSize * (pageSize >= 65536 ? 2 : 4)) : rng.Next(0, 100)];
                if (c is not null)
                {
                    rng.NextBytes(c);
                }

                table.Insert(rowid, Row(a, b, c));
                index.Insert(RecordFormat.Encode([SqlValue.FromText(b), SqlValue.FromInteger(rowid)]));
                model[rowid] = (a, b, c);
            }

            store.Commit();
        }

        // A second session deletes 40% of the rows and their index entries, and updates a few.
        using (var store = BTreeStore.Open(path))
        {
            Assert.Equal(pageSize, store.Pager.PageSize);
            store.Begin();
            using var table = store.OpenTable(root);
            using var index = store.OpenIndex(indexRoot, info);
            foreach (var rowid in model.Keys.ToList())
            {
                var roll = rng.Next(10);
                if (roll >= 6 && roll < 9)
                {
                    continue;
                }

                var (_, b, _) = model[rowid];
                SqlValue[] key = [SqlValue.FromText(b), SqlValue.FromInteger(rowid)];
                Assert.True(index.Seek(key, SeekOp.GE));
                Assert.Equal(0, index.CompareCurrent(key));
                index.Delete();
                if (roll < 6)
                {
                    Assert.True(table.SeekRowid(rowid, out var exact) && exact);
                    table.Delete();
                    model.Remove(rowid);
                }
                else
                {
                    var nb = RandomText(rng, rng.Next(0, 2000));
                    table.Insert(rowid, Row(null, nb, null));
                    index.Insert(RecordFormat.Encode([SqlValue.FromText(nb), SqlValue.FromInteger(rowid)]));
                    model[rowid] = (null, nb, null);
                }
            }

            store.Commit();
        }

        Assert.Equal("ok\n", Sqlite3.Run(path, "PRAGMA integrity_check;"));
        var expected = Sqlite3.Lines(model.Select(kv => Sqlite3.Row(
        [
            kv.Key.ToString(System.Globalization.CultureInfo.InvariantCulture),
            kv.Value.A is { } a ? a.ToString(System.Globalization.CultureInfo.InvariantCulture) : "NULL",
            Sqlite3.Quote(SqlValue.FromText(kv.Value.B)),
            kv.Value.C is { } c ? Sqlite3.Quote(SqlValue.FromBlob(c)) : "NULL",
        ])));
        Assert.Equal(expected, Sqlite3.Run(path, "SELECT rowid, quote(a), quote(b), quote(c) FROM t ORDER BY rowid;"));
        Assert.Equal(model.Count.ToString(System.Globalization.CultureInfo.InvariantCulture) + "\n", Sqlite3.Run(path, "SELECT count(*) FROM t INDEXED BY ti WHERE b IS NOT NULL;"));
        // sqlite3 can keep writing the file.
        Sqlite3.Run(path, "INSERT INTO t VALUES (1, 'x', NULL); CREATE TABLE z(q); DROP TABLE z;");
        Assert.Equal("ok\n", Sqlite3.Run(path, "PRAGMA integrity_check;"));
    }

    private static byte[] Row(long? a, string b, byte[]? c) => RecordFormat.Encode(
    [
        a is { } x ? SqlValue.FromInteger(x) : SqlValue.Null,
        SqlValue.FromText(b),
        c is null ? SqlValue.Null : SqlValue.FromBlob(c),
    ]);

    private static string RandomText(Random rng, int length)
    {
        var sb = new StringBuilder(length);
        for (var i = 0; i < length; i++)
        {
            sb.Append(rng.Next(30) == 0 ? 'é' : (char)('a' + rng.Next(26)));
        }

        return sb.ToString();
    }

    [Fact]
    public void Dropping_a_table_frees_its_pages_for_sqlite3()
    {
        using var dir = new TempDir();
        var path = dir.File("drop.db");
        Sqlite3.Run(path, Populate(1024, vacuum: false));
        using (var store = BTreeStore.Open(path))
        {
            store.Begin();
            var t = SchemaTable.ReadAll(store).Where(r => r.TableName == "t").ToList();
            foreach (var row in t.OrderByDescending(r => r.Type == "index"))
            {
                store.DropTree((uint)row.RootPage);
                Assert.True(SchemaTable.Delete(store, row.Rowid));
            }

            store.Commit();
        }

        Assert.Equal("ok\n", Sqlite3.Run(path, "PRAGMA integrity_check;"));
        Assert.Equal("u\nw\n", Sqlite3.Run(path, "SELECT name FROM sqlite_schema WHERE type='table' ORDER BY name;"));
    }

    [Fact]
    public void Mutated_files_give_clean_corruption_errors()
    {
        using var dir = new TempDir();
        var path = dir.File("fuzz.db");
        Sqlite3.Run(path, Populate(512, vacuum: false, rows: 400));
        var original = File.ReadAllBytes(path);
        // FORGE_FUZZ_SECONDS / FORGE_FUZZ_SEED run it longer or elsewhere by hand; the default stays short.
        var seconds = int.TryParse(Environment.GetEnvironmentVariable("FORGE_FUZZ_SECONDS"), out var s) ? s : 4;
        var seed = int.TryParse(Environment.GetEnvironmentVariable("FORGE_FUZZ_SEED"), out var z) ? z : 1234;
        var rng = new Random(seed);
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        var runs = 0;
        var corrupt = 0;
        while (DateTime.UtcNow < deadline && runs < 3000 * seconds)
        {
            runs++;
            var bytes = (byte[])original.Clone();
            var mutations = 1 + rng.Next(8);
            for (var m = 0; m < mutations; m++)
            {
                // Favour the headers and pointer areas at the start of pages.
                var page = rng.Next(original.Length / 512);
                var offset = (page * 512) + (rng.Next(3) == 0 ? rng.Next(512) : rng.Next(24));
                bytes[offset] = rng.Next(4) switch
                {
                    0 => 0,
                    1 => 0xFF,
                    2 => (byte)(bytes[offset] ^ (1 << rng.Next(8))),
                    _ => (byte)rng.Next(256),
                };
            }

            try
            {
                ReadEverything(bytes);
            }
            catch (Exception e) when (e is not (SqliteCorruptException or SqliteNotADatabaseException or NotSupportedException))
            {
                throw new InvalidOperationException($"run {runs} (seed {seed}): {e.GetType().Name}: {e.Message}", e);
            }
            catch (SqliteCorruptException)
            {
                corrupt++;
            }
            catch (SqliteNotADatabaseException)
            {
                corrupt++;
            }
            catch (NotSupportedException)
            {
                corrupt++;
            }
        }

        Assert.True(runs > 40, $"only {runs} runs");
        Assert.True(corrupt > 0);
    }

    private static void ReadEverything(byte[] file)
    {
        using var store = new BTreeStore(PageManager.Open(new MemoryDatabaseFile(file)));
        var schema = SchemaTable.ReadAll(store);
        var trees = new List<(uint, bool, KeyInfo)> { (1, true, KeyInfo.Default) };
        foreach (var row in schema)
        {
            if (row.RootPage <= 0 || row.RootPage > uint.MaxValue)
            {
                continue;
            }

            var table = row.Type == "table";
            trees.Add(((uint)row.RootPage, table, KeyInfo.Ascending(2)));
            using var cursor = table ? store.OpenTable((uint)row.RootPage) : store.OpenIndex((uint)row.RootPage, KeyInfo.Ascending(2));
            var n = 0;
            for (var ok = cursor.First(); ok && n < 20000; ok = cursor.Next(), n++)
            {
                var r = cursor.Record;
                for (var i = 0; i < r.ColumnCount; i++)
                {
                    _ = r.GetValue(i);
                }

                if (table)
                {
                    _ = cursor.Rowid;
                }
            }
        }

        _ = IntegrityCheck.Run(store, trees);
        _ = store.Pager.ReadFreelist();

        // Writing into a damaged file must fail as cleanly as reading it.
        store.Begin();
        foreach (var (root, table, keyInfo) in trees)
        {
            using var cursor = table ? store.OpenTable(root) : store.OpenIndex(root, keyInfo);
            for (var i = 0; i < 20; i++)
            {
                if (table)
                {
                    cursor.Insert(cursor.MaxRowid() + 1, RecordFormat.Encode([SqlValue.FromText(new string('z', i * 40))]));
                }
                else
                {
                    cursor.Insert(RecordFormat.Encode([SqlValue.FromText(new string('z', i * 40)), SqlValue.FromInteger(i)]));
                }
            }

            if (cursor.First())
            {
                cursor.Delete();
            }
        }

        store.Rollback();
    }

    [Fact]
    public void Sqlite_schema_on_page_1_splits_and_shrinks_for_sqlite3()
    {
        using var dir = new TempDir();
        var path = dir.File("schema.db");
        var names = new List<(long Rowid, uint Root, string Name)>();
        using (var store = BTreeStore.Open(path, 1024))
        {
            store.Begin();
            for (var i = 0; i < 300; i++)
            {
                var root = store.CreateTree(TreeKind.Table);
                var name = $"table_{i:D3}";
                var columns = string.Join(", ", Enumerable.Range(0, i % 40).Select(c => $"column_{c} TEXT"));
                var rowid = SchemaTable.Insert(store, "table", name, name, root, $"CREATE TABLE {name}(id INTEGER{(columns.Length > 0 ? ", " + columns : "")})");
                names.Add((rowid, root, name));
                using var t = store.OpenTable(root);
                t.Insert(1, RecordFormat.Encode([SqlValue.Null, SqlValue.FromText(name)]));
            }

            store.Commit();
            Assert.True(store.Pager.ReadHeaderField(DatabaseHeader.SchemaCookie) >= 300);
            store.Begin();
            foreach (var (rowid, root, _) in names.Where(n => n.Rowid % 3 != 0))
            {
                store.DropTree(root);
                Assert.True(SchemaTable.Delete(store, rowid));
            }

            store.Commit();
        }

        Assert.Equal("ok\n", Sqlite3.Run(path, "PRAGMA integrity_check;"));
        var kept = names.Where(n => n.Rowid % 3 == 0).Select(n => n.Name).ToList();
        Assert.Equal(Sqlite3.Lines(kept), Sqlite3.Run(path, "SELECT name FROM sqlite_schema ORDER BY rowid;"));
        Assert.Equal("NULL|'table_299'\n", Sqlite3.Run(path, "SELECT quote(id), quote(column_0) FROM table_299;"));
    }

    [Fact]
    public void Comparator_agrees_with_sqlite3_on_mixed_types_collations_and_desc()
    {
        using var dir = new TempDir();
        var path = dir.File("mixed.db");
        Sqlite3.Run(path, """
            PRAGMA page_size=512;
            CREATE TABLE m(x, y);
            CREATE INDEX mx ON m(x COLLATE NOCASE DESC, y COLLATE RTRIM);
            INSERT INTO m VALUES (1,'a'),(1.0,'a '),(1.5,'a'),(2,'b'),(-3,'m'),(-2.5,'k'),('Abc','x'),('abc','x  '),('ABD','z'),
              (x'00','q'),(x'',''),(NULL,'n'),('',NULL),('abc ','y'),(9223372036854775807,'big'),(-9223372036854775808,'small');
            WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i+1 FROM n WHERE i<1500)
            INSERT INTO m SELECT CASE i%5 WHEN 0 THEN i%97 WHEN 1 THEN (i%89)*0.5 WHEN 2 THEN char(65+i%26)||(i%13)
                WHEN 3 THEN lower(char(65+i%26))||(i%13) ELSE randomblob(i%3) END,
              'v'||(i%7)||substr('   ',1,i%3) FROM n;
            """);
        var expected = Sqlite3.Run(path, "SELECT quote(x), quote(y), rowid FROM m ORDER BY x COLLATE NOCASE DESC, y COLLATE RTRIM, rowid;");
        var info = new KeyInfo([Collation.NoCase, Collation.RTrim], [true, false]);
        using var store = new BTreeStore(PageManager.Open(path, readOnly: true));
        var root = (uint)SchemaTable.ReadAll(store).Single(r => r.Name == "mx").RootPage;
        Assert.Equal(expected, Sqlite3.Lines(ReadIndex(store, root, info)));
        Assert.Empty(IntegrityCheck.Run(store, [(1u, true, KeyInfo.Default), ((uint)SchemaTable.ReadAll(store).Single(r => r.Name == "m").RootPage, true, KeyInfo.Default), (root, false, info)]));

        // Every entry is found again by an equality seek on its full key and on its prefix.
        using var cursor = store.OpenIndex(root, info);
        var entries = new List<byte[]>();
        for (var ok = cursor.First(); ok; ok = cursor.Next())
        {
            entries.Add(cursor.Payload.ToArray());
        }

        foreach (var entry in entries)
        {
            var key = RecordFormat.DecodeAll(entry);
            Assert.True(cursor.Seek(key, SeekOp.GE));
            Assert.True(cursor.Payload.Span.SequenceEqual(entry));
            Assert.True(cursor.Seek(key.AsSpan(0, 1), SeekOp.GE));
            Assert.Equal(0, cursor.CompareCurrent(key.AsSpan(0, 1)));
        }
    }
}
