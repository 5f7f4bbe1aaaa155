using System.Globalization;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using MxResolver.Transport;
using static MxResolver.Tests.Transport.PipelineTestKit;

namespace MxResolver.Tests.Transport;

/// <summary>
/// Whatever order a server answers pipelined queries in (RFC 7766 §6.2.1.1 allows any) and however its
/// bytes are cut into reads, every query gets exactly its own answer: right ID (the caller's, restored),
/// right question, right payload, nothing lost, nothing delivered twice.
/// </summary>
public sealed class PipelinedDnsPropertyTests
{
    /// <summary>A plan: the order replies are sent in (a permutation of the query indices) and the sizes of the sends.</summary>
    private static readonly Gen<(int[] Order, int[] Pieces)> Plans =
        from count in Gen.Choose(1, 24)
        from order in Gen.Shuffle(Enumerable.Range(0, count).ToArray())
        from pieces in Gen.NonEmptyListOf(Gen.Frequency((3, Gen.Choose(1, 8)), (3, Gen.Choose(9, 120)), (1, Gen.Choose(121, 3000))))
        select (order, pieces.ToArray());

    // Fewer cases than PropertyConfig.MaxTest: each case is a real loopback connection and server.
    // Fixed replay seed, as PropertyConfig asks, with its own gamma.
    [Property(Replay = "(20261126,1341)", MaxTest = 150)]
    public Property Every_query_gets_exactly_its_own_answer_whatever_the_order_and_segmentation()
        => Prop.ForAll(Plans.ToArbitrary(), plan => RunAsync(plan.Order, plan.Pieces).GetAwaiter().GetResult());

    private static async Task<bool> RunAsync(int[] order, int[] pieces)
    {
        int count = order.Length;
        await using var server = new ScriptedTcpDnsServer(async connection =>
        {
            var queries = await connection.ReadMessagesAsync(count);
            var byIndex = new byte[count][];
            foreach (var query in queries)
            {
                byIndex[int.Parse(NameOf(query).Split('.')[0][1..], CultureInfo.InvariantCulture)] = query;
            }

            byte[] stream = ScriptedTcpDnsServer.Frame([.. order.Select(i => ScriptedTcpDnsServer.Reply(byIndex[i], i))]);
            int offset = 0;
            for (int p = 0; offset < stream.Length; p++)
            {
                int length = Math.Min(pieces[p % pieces.Length], stream.Length - offset);
                await connection.SendAsync(stream.AsMemory(offset, length));
                offset += length;
                if (p % 3 == 0)
                {
                    await Task.Delay(1); // let some pieces arrive on their own
                }
            }

            await connection.DrainUntilClosedAsync();
        });
        await using var connection = await OpenAsync(server.EndPoint, new DnsConnectionOptions { MaxInFlightPerConnection = 32 });

        var tasks = Enumerable.Range(0, count)
            .Select(i => connection.QueryAsync(Query($"p{i}.prop.test.", id: (ushort)(0xA000 + i)), CancellationToken.None).AsTask())
            .ToArray();
        var results = await Task.WhenAll(tasks).WaitAsync(Bound);

        for (int i = 0; i < count; i++)
        {
            AssertAnswer(results[i], $"p{i}.prop.test.", i, (ushort)(0xA000 + i));
        }

        Assert.Empty(server.Errors);
        Assert.True(connection.IsOpen);
        Assert.Equal(0, connection.Load);
        return true;
    }
}
