namespace Forge.Tunnel.Mux;

/// <summary>An auto-reset signal one consumer awaits: Set before Wait makes the next Wait return at once.</summary>
internal sealed class AsyncSignal
{
    private readonly Lock _gate = new();
    private TaskCompletionSource? _waiter;
    private bool _set;

    public void Set()
    {
        TaskCompletionSource? waiter;
        lock (_gate)
        {
            waiter = _waiter;
            _waiter = null;
            if (waiter is null)
            {
                _set = true;
            }
        }

        waiter?.TrySetResult();
    }

    public Task WaitAsync()
    {
        lock (_gate)
        {
            if (_set)
            {
                _set = false;
                return Task.CompletedTask;
            }

            _waiter ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            return _waiter.Task;
        }
    }
}
