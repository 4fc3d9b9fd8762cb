using System.Collections;

namespace Forge.Sql.Parsing;

/// <summary>
/// The base of every syntax tree node. <see cref="Start"/> and <see cref="End"/> give the node's
/// source range (offsets into the parsed text, end exclusive). Equality is structural and ignores
/// positions, so a tree re-parsed from its <see cref="ToSql"/> text equals the original.
/// </summary>
public abstract record Node
{
    /// <summary>Offset of the node's first character in the source text.</summary>
    public int Start { get; internal set; }

    /// <summary>Offset just past the node's last character.</summary>
    public int End { get; internal set; }

    /// <summary>SQLite's expression height (leaves are 1), used for the expression depth limit.</summary>
    internal int Height { get; set; }

    /// <summary>Structural equality: same node type; positions are ignored.</summary>
    public virtual bool Equals(Node? other) => other is not null && EqualityContract == other.EqualityContract;

    /// <inheritdoc/>
    public override int GetHashCode() => EqualityContract.GetHashCode();

    /// <summary>Canonical SQL text for this node, fully parenthesised where precedence matters.</summary>
    public string ToSql() => SqlWriter.ToSql(this);
}

/// <summary>An immutable list with structural equality, used for every list in the tree.</summary>
public sealed class SyntaxList<T> : IReadOnlyList<T>, IEquatable<SyntaxList<T>>
{
    private readonly T[] _items;

    /// <summary>Wraps <paramref name="items"/> (not copied: the parser hands over its own array).</summary>
    public SyntaxList(T[] items) => _items = items;

    /// <summary>The empty list.</summary>
    [System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1000", Justification = "SyntaxList<T>.Empty reads best at call sites.")]
    public static SyntaxList<T> Empty { get; } = new([]);

    /// <inheritdoc/>
    public T this[int index] => _items[index];

    /// <inheritdoc/>
    public int Count => _items.Length;

    /// <summary>The items as a span.</summary>
    public ReadOnlySpan<T> AsSpan() => _items;

    /// <inheritdoc/>
    public IEnumerator<T> GetEnumerator() => ((IEnumerable<T>)_items).GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => _items.GetEnumerator();

    /// <inheritdoc/>
    public bool Equals(SyntaxList<T>? other)
    {
        if (other is null || other._items.Length != _items.Length)
        {
            return false;
        }

        var comparer = EqualityComparer<T>.Default;
        for (var i = 0; i < _items.Length; i++)
        {
            if (!comparer.Equals(_items[i], other._items[i]))
            {
                return false;
            }
        }

        return true;
    }

    /// <inheritdoc/>
    public override bool Equals(object? obj) => obj is SyntaxList<T> other && Equals(other);

    /// <inheritdoc/>
    public override int GetHashCode() => _items.Length;

    /// <inheritdoc/>
    public override string ToString() => $"[{string.Join(", ", _items)}]";
}

/// <summary>A possibly schema-qualified name: <c>main.t</c>.</summary>
public sealed record QualifiedName(string? Schema, string Name) : Node;
