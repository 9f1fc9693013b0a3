namespace Mirror.Gateway.Authentication;

/// <summary>How many user names <see cref="FailedLogins"/> keeps records of, across all addresses.</summary>
internal sealed class NameBudget(int size)
{
    private int _left = size;

    public bool TryTake()
    {
        var left = Volatile.Read(ref _left);
        while (left > 0)
        {
            var seen = Interlocked.CompareExchange(ref _left, left - 1, left);
            if (seen == left)
            {
                return true;
            }

            left = seen;
        }

        return false;
    }

    public void Give(int count) => Interlocked.Add(ref _left, count);
}
