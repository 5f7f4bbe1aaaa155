#if !NET10_0_OR_GREATER
namespace MxResolver.Tests.Resolution;

/// <summary>
/// <c>ToListAsync</c> for the net8.0 test build: .NET 10 has it in System.Linq.AsyncEnumerable, .NET 8
/// has no LINQ over <see cref="IAsyncEnumerable{T}"/>.
/// </summary>
internal static class AsyncEnumerableShim
{
    public static async ValueTask<List<T>> ToListAsync<T>(this IAsyncEnumerable<T> source, CancellationToken cancellationToken = default)
    {
        var list = new List<T>();
        await foreach (T item in source.WithCancellation(cancellationToken).ConfigureAwait(false))
        {
            list.Add(item);
        }

        return list;
    }
}
#endif
