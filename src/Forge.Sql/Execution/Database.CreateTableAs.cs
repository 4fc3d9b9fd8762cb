using System.Text;
using Forge.Sql.Execution.Values;
using Forge.Sql.Parsing;
using Forge.Sql.Planning;
using Forge.Sql.Records;
using Forge.Sql.Tokenizer;

namespace Forge.Sql.Execution;

/// <summary>
/// CREATE TABLE ... AS SELECT, as SQLite does it: the columns take the SELECT's result names (an
/// alias, a column's name, else the expression's text; "name:N" when taken; "columnN" for
/// true/false) and the declared type of each expression's affinity (TEXT, NUM, INT, REAL, none);
/// the stored CREATE TABLE text is generated the way SQLite writes it; the rows go in with rowids
/// 1, 2, ... and the new columns' affinities.
/// </summary>
public sealed partial class Database
{
    private ResultSet CreateTableAs(CreateTableStmt create, SelectStmt select, string sql)
    {
        var prepared = PrepareSelect(select, sql);
        var query = prepared.Query;
        var names = SelectPlanner.UniqueColumnNames([.. query.Names.Select((n, i) =>
            n.Equals("true", StringComparison.OrdinalIgnoreCase) || n.Equals("false", StringComparison.OrdinalIgnoreCase) ? $"column{i + 1}" : n)]);

        var text = CreateTableText(create.Name.Name, names, query.Affinities);
        var generated = (CreateTableStmt)SqlParser.Parse(text).Statement!;
        CreateTable(generated, text);
        var table = _catalog.FindTable(create.Name.Name)!;

        var ctx = NewContext(prepared.Slots);
        var w = OpenWrite(table, ctx);
        try
        {
            var record = new SqlValue[table.Columns.Length];
            long rowid = 0;
            prepared.Run(ctx, row =>
            {
                for (var c = 0; c < record.Length; c++)
                {
                    record[c] = SqlConvert.ApplyAffinity(row[c], table.Columns[c].Affinity);
                }

                StoreIntegralReals(table, record);
                w.Rows.Insert(++rowid, RecordFormat.Encode(record));
            });
        }
        finally
        {
            w.Dispose();
        }

        return ResultSet.Empty;
    }

    /// <summary>The CREATE TABLE statement SQLite stores for a table made by CREATE TABLE ... AS SELECT.</summary>
    internal static string CreateTableText(string table, IReadOnlyList<string> columns, IReadOnlyList<Affinity> affinities)
    {
        // One line when short, else one column per line (SQLite's createTableStmt measures it so).
        var n = IdentLength(table);
        foreach (var c in columns)
        {
            n += IdentLength(c) + 5;
        }

        var (sep, sep2, end) = n < 50 ? ("", ",", ")") : ("\n  ", ",\n  ", "\n)");
        var s = new StringBuilder("CREATE TABLE ");
        IdentPut(s, table);
        s.Append('(');
        for (var i = 0; i < columns.Count; i++)
        {
            s.Append(i == 0 ? sep : sep2);
            IdentPut(s, columns[i]);
            s.Append(affinities[i] switch
            {
                Affinity.Text => " TEXT",
                Affinity.Numeric => " NUM",
                Affinity.Integer => " INT",
                Affinity.Real => " REAL",
                _ => "",
            });
        }

        return s.Append(end).ToString();
    }

    private static int IdentLength(string name) => Encoding.UTF8.GetByteCount(name) + name.Count(c => c == '"') + 2;

    /// <summary>An identifier as SQLite writes it: quoted when not plain ASCII letters, digits and underscores, when it starts with a digit, or when it is a keyword.</summary>
    private static void IdentPut(StringBuilder s, string name)
    {
        var plain = name.Length > 0 && !char.IsAsciiDigit(name[0]) && name.All(c => char.IsAsciiLetterOrDigit(c) || c == '_')
            && !Keywords.IsKeyword(Keywords.Lookup(name));
        if (plain)
        {
            s.Append(name);
            return;
        }

        s.Append('"').Append(name.Replace("\"", "\"\"", StringComparison.Ordinal)).Append('"');
    }
}
