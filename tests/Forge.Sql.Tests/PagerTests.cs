using Forge.Sql.BTree;
using Forge.Sql.Pager;
using Forge.Sql.Records;
using Forge.Sql.Schema;
using Forge.Testing;

namespace Forge.Sql.Tests;

public class PagerTests
{
    [Fact]
    public void A_new_database_is_one_page_that_sqlite3_accepts()
    {
        using var dir = new TempDir();
        var path = dir.File("new.db");
        using (var pager = PageManager.Open(path, newPageSize: 8192))
        {
            Assert.Equal(0u, pager.PageCount);
            pager.Begin();
            pager.Commit();
            Assert.Equal(1u, pager.PageCount);
            Assert.Equal(1u, pager.ChangeCounter);
            Assert.Equal(1u, pager.ReadHeaderField(DatabaseHeader.VersionValidFor));
            Assert.Equal(1u, pager.ReadHeaderField(DatabaseHeader.DatabaseSizePages));
            Assert.Equal(4u, pager.ReadHeaderField(DatabaseHeader.SchemaFormat));
            Assert.Equal(1u, pager.ReadHeaderField(DatabaseHeader.TextEncoding));
            Assert.Equal((uint)DatabaseHeader.WriterVersionNumber, pager.ReadHeaderField(DatabaseHeader.SqliteVersionNumber));

            // A transaction that changes nothing leaves the counter alone.
            pager.Begin();
            pager.Commit();
            Assert.Equal(1u, pager.ChangeCounter);
        }

        Assert.Equal(8192, new FileInfo(path).Length);
        Assert.Equal("ok\n8192\n0\n", Sqlite3.Run(path, "PRAGMA integrity_check; PRAGMA page_size; SELECT count(*) FROM sqlite_schema;"));
    }

    [Fact]
    public void Page_size_65536_is_stored_as_1()
    {
        var file = new MemoryDatabaseFile();
        using (var pager = PageManager.Open(file, 65536))
        {
            pager.Begin();
            pager.Commit();
        }

        var bytes = file.ToArray();
        Assert.Equal(65536, bytes.Length);
        Assert.Equal(0, bytes[16]);
        Assert.Equal(1, bytes[17]);
        using var reopened = PageManager.Open(new MemoryDatabaseFile(bytes));
        Assert.Equal(65536, reopened.PageSize);
    }

    [Fact]
    public void The_cache_stays_near_the_size_PRAGMA_cache_size_sets()
    {
        using var pager = PageManager.Open(new MemoryDatabaseFile(), 1024);
        pager.Begin();
        for (var i = 0; i < 300; i++)
        {
            pager.Allocate();
        }

        pager.Commit();
        pager.SetCacheSize(-40); // 40 KiB: 40 pages of 1 KiB
        for (uint n = 1; n <= pager.PageCount; n++)
        {
            _ = pager.GetPage(n);
            Assert.True(pager.CachedPages <= 40, $"{pager.CachedPages} pages cached after reading page {n}");
        }

        pager.SetCacheSize(1000);
        for (uint n = 1; n <= pager.PageCount; n++)
        {
            _ = pager.GetPage(n);
        }

        Assert.Equal((int)pager.PageCount, pager.CachedPages);
    }

    [Fact]
    public void Freed_pages_are_reused_through_trunk_and_leaf_pages()
    {
        using var pager = PageManager.Open(new MemoryDatabaseFile(), 512);
        pager.Begin();
        var pages = Enumerable.Range(0, 400).Select(_ => pager.Allocate().Number).ToList();
        Assert.Equal(401u, pager.PageCount);
        foreach (var p in pages.Where(p => p % 4 != 0))
        {
            pager.Free(p);
        }

        var free = pager.ReadFreelist();
        Assert.Equal(300, free.Count);
        Assert.Equal(300u, pager.FreelistCount);
        Assert.Equal(free.Order(), pages.Where(p => p % 4 != 0).Order());
        // 512-byte pages hold 120 leaves per trunk: more than one trunk.
        Assert.True(pager.ReadHeaderField(DatabaseHeader.FirstFreelistTrunk) != 0);
        var reused = new HashSet<uint>();
        for (var i = 0; i < 300; i++)
        {
            var page = pager.Allocate();
            Assert.True(page.Data.All(b => b == 0));
            Assert.True(reused.Add(page.Number));
        }

        Assert.Equal(401u, pager.PageCount);
        Assert.Equal(0u, pager.FreelistCount);
        Assert.Empty(pager.ReadFreelist());
        Assert.Equal(402u, pager.Allocate().Number);
        pager.Commit();
    }

    [Fact]
    public void Savepoints_roll_back_a_statement_and_keep_the_rest()
    {
        using var store = new BTreeStore(PageManager.Open(new MemoryDatabaseFile(), 1024));
        store.Begin();
        var root = store.CreateTree(TreeKind.Table);
        using var c = store.OpenTable(root);
        for (var i = 1; i <= 100; i++)
        {
            c.Insert(i, RecordFormat.Encode([SqlValue.FromInteger(i)]));
        }

        var pagesBefore = store.Pager.PageCount;
        store.BeginSavepoint();
        for (var i = 101; i <= 1000; i++)
        {
            c.Insert(i, RecordFormat.Encode([SqlValue.FromText(new string('q', 200))]));
        }

        store.RollbackSavepoint();
        Assert.Equal(pagesBefore, store.Pager.PageCount);
        Assert.Equal(100, c.MaxRowid());
        store.BeginSavepoint();
        c.Insert(101, RecordFormat.Encode([SqlValue.FromInteger(101)]));
        store.ReleaseSavepoint();
        store.Commit();
        Assert.Equal(101, c.MaxRowid());
        Assert.Empty(IntegrityCheck.Run(store, [(1u, true, KeyInfo.Default), (root, true, KeyInfo.Default)]));
    }

    [Fact]
    public void Rollback_of_the_first_transaction_leaves_an_empty_file()
    {
        var file = new MemoryDatabaseFile();
        using var store = new BTreeStore(PageManager.Open(file));
        store.Begin();
        var root = store.CreateTree(TreeKind.Table);
        SchemaTable.Insert(store, "table", "t", "t", root, "CREATE TABLE t(a)");
        store.Rollback();
        Assert.Equal(0u, store.Pager.PageCount);
        Assert.Equal(0, file.Length);
        Assert.Empty(SchemaTable.ReadAll(store));
    }

    [Fact]
    public void Schema_changes_bump_the_cookie()
    {
        using var store = new BTreeStore(PageManager.Open(new MemoryDatabaseFile()));
        store.Begin();
        var cookie = store.Pager.SchemaCookie;
        var rowid = SchemaTable.Insert(store, "table", "t", "t", store.CreateTree(TreeKind.Table), "CREATE TABLE t(a)");
        Assert.Equal(cookie + 1, store.Pager.SchemaCookie);
        SchemaTable.Update(store, rowid, "table", "t", "t", 2, "CREATE TABLE t(a, b)");
        Assert.Equal(cookie + 2, store.Pager.SchemaCookie);
        var row = Assert.Single(SchemaTable.ReadAll(store));
        Assert.Equal(new SchemaRow(1, "table", "t", "t", 2, "CREATE TABLE t(a, b)"), row);
        Assert.True(SchemaTable.Delete(store, rowid));
        Assert.Equal(cookie + 3, store.Pager.SchemaCookie);
        store.Commit();
    }

    [Fact]
    public void Utf16_wal_and_non_database_files_are_refused_clearly()
    {
        using var dir = new TempDir();
        var utf16 = dir.File("u16.db");
        Sqlite3.Run(utf16, "PRAGMA encoding='UTF-16le'; CREATE TABLE x(a);");
        var e = Assert.Throws<NotSupportedException>(() => PageManager.Open(utf16));
        Assert.Contains("UTF-16le", e.Message, StringComparison.Ordinal);

        var wal = dir.File("wal.db");
        Assert.Equal("wal\n", Sqlite3.Run(wal, "PRAGMA journal_mode=WAL; CREATE TABLE x(a);"));
        Assert.Throws<NotSupportedException>(() => PageManager.Open(wal));

        var text = dir.File("text.db");
        File.WriteAllText(text, new string('x', 4096));
        Assert.Equal("file is not a database", Assert.Throws<SqliteNotADatabaseException>(() => PageManager.Open(text)).Message);
    }

    [Fact]
    public void Page_numbers_outside_the_file_are_corruption()
    {
        using var pager = PageManager.Open(new MemoryDatabaseFile());
        pager.Begin();
        pager.Commit();
        var e = Assert.Throws<SqliteCorruptException>(() => pager.GetPage(2));
        Assert.Equal("database disk image is malformed", e.Message);
        Assert.Throws<SqliteCorruptException>(() => pager.GetPage(0));
    }
}
