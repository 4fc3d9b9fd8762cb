namespace Forge.Sql.Planning;

internal sealed partial class SelectPlanner
{
    /// <summary>
    /// Keeps the first <paramref name="count"/> row slots for the caller (a write statement's target
    /// and FROM rows, a trigger's NEW and OLD), so the planner's own items are numbered after them.
    /// </summary>
    public SelectPlanner ReserveSlots(int count)
    {
        _slots = Math.Max(_slots, count);
        return this;
    }
}
