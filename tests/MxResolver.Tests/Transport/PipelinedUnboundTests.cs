using MxResolver.Dns;
using MxResolver.Tests.Infrastructure;
using MxResolver.Transport;
using static MxResolver.Tests.Transport.PipelineTestKit;

namespace MxResolver.Tests.Transport;

/// <summary>Pipelined TCP against the real Unbound of the assembly fixture (zone mx.test.).</summary>
public sealed class PipelinedUnboundTests(UnboundFixture unbound)
{
    private static readonly (string Name, DnsRecordType Type, DnsResponseCode Code, int Answers)[] Cases =
    [
        ("plain.mx.test.", DnsRecordType.MX, DnsResponseCode.NoError, 3),
        ("equal.mx.test.", DnsRecordType.MX, DnsResponseCode.NoError, 5),
        ("null-mx.mx.test.", DnsRecordType.MX, DnsResponseCode.NoError, 1),
        ("implicit.mx.test.", DnsRecordType.MX, DnsResponseCode.NoError, 0),
        ("nxdomain.mx.test.", DnsRecordType.MX, DnsResponseCode.NameError, 0),
        ("mx1.plain.mx.test.", DnsRecordType.A, DnsResponseCode.NoError, 1),
        ("mx1.plain.mx.test.", DnsRecordType.AAAA, DnsResponseCode.NoError, 1),
        ("big.mx.test.", DnsRecordType.MX, DnsResponseCode.NoError, 60),
    ];

    [Fact]
    public async Task Two_hundred_queries_with_64_in_flight_on_one_connection_all_get_correct_answers()
    {
        await using var connection = await OpenAsync(unbound.EndPoint, new DnsConnectionOptions { MaxInFlightPerConnection = 64 });

        var tasks = Enumerable.Range(0, 200).Select(i =>
        {
            var (name, type, _, _) = Cases[i % Cases.Length];
            return connection.QueryAsync(Query(name, type, id: (ushort)i), TestContext.Current.CancellationToken).AsTask();
        }).ToArray();

        var results = await Task.WhenAll(tasks).WaitAsync(Bound, TestContext.Current.CancellationToken);

        for (int i = 0; i < results.Length; i++)
        {
            var (name, type, code, answers) = Cases[i % Cases.Length];
            Assert.True(results[i].Status == DnsStreamStatus.Answered, $"{i}: {results[i].Status} {results[i].Detail}");
            using var reply = results[i].Reply!;
            var response = DnsResponse.Parse(reply.Span);
            Assert.Equal((ushort)i, response.Id);
            Assert.Equal(name.TrimEnd('.'), response.Question!.Name.TrimEnd('.'), ignoreCase: true);
            Assert.Equal(type, response.Question.Type);
            Assert.Equal(code, response.ResponseCode);
            Assert.Equal(answers, response.Answers.Count(a => a.Type == type));
        }

        Assert.True(connection.IsOpen);
    }

    [Fact]
    public async Task The_pool_answers_a_burst_over_a_few_connections()
    {
        await using var pool = new DnsConnectionPool(new DnsConnectionOptions { MaxConnectionsPerServer = 4, OpenAnotherAtLoad = 8 });
        var server = NameServerEndpoint.Parse($"tcp://{unbound.EndPoint}");

        var results = await Task.WhenAll(Enumerable.Range(0, 300).Select(i =>
            pool.QueryAsync(server, Query("plain.mx.test.", DnsRecordType.MX, (ushort)i), TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken).AsTask()))
            .WaitAsync(Bound, TestContext.Current.CancellationToken);

        Assert.All(results, r => Assert.Equal(DnsStreamStatus.Answered, r.Status));
        for (int i = 0; i < results.Length; i++)
        {
            using var reply = results[i].Reply!;
            Assert.Equal((ushort)i, Id(reply.Span));
            Assert.Equal(3, DnsResponse.Parse(reply.Span).Answers.Count);
        }

        Assert.InRange(pool.GetConnectionsOpened(server), 1, 4);
    }
}
