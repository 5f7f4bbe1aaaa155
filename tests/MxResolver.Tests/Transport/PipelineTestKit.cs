using System.Buffers.Binary;
using System.Net;
using MxResolver.Dns;
using MxResolver.Transport;

namespace MxResolver.Tests.Transport;

/// <summary>Queries and reply checks shared by the pipelining tests.</summary>
internal static class PipelineTestKit
{
    /// <summary>Bound for any single wait in these tests: a stuck test fails instead of hanging.</summary>
    public static readonly TimeSpan Bound = TimeSpan.FromSeconds(15);

    /// <summary>A query as DnsQueryWriter writes it (with OPT), with the caller's ID.</summary>
    public static byte[] Query(string name, DnsRecordType type = DnsRecordType.A, ushort id = 0x4242)
    {
        var buffer = new byte[DnsQueryWriter.MaxQueryLength];
        int length = DnsQueryWriter.Write(buffer, id, name, type);
        return buffer[..length];
    }

    /// <summary>The A record's address in a reply as the marker ScriptedTcpDnsServer.Reply encoded, or -1.</summary>
    public static int Marker(ReadOnlySpan<byte> reply)
    {
        var response = DnsResponse.Parse(reply);
        foreach (var record in response.Answers)
        {
            if (record is AddressRecord { Address.AddressFamily: System.Net.Sockets.AddressFamily.InterNetwork } a)
            {
                byte[] bytes = a.Address.GetAddressBytes();
                return (bytes[1] << 16) | (bytes[2] << 8) | bytes[3];
            }
        }

        return -1;
    }

    public static string QuestionName(ReadOnlySpan<byte> reply) => DnsResponse.Parse(reply).Question!.Name;

    public static ushort Id(ReadOnlySpan<byte> message) => BinaryPrimitives.ReadUInt16BigEndian(message);

    /// <summary>Asserts an answered result, checks it and disposes the reply.</summary>
    public static void AssertAnswer(DnsStreamResult result, string name, int marker, ushort callerId)
    {
        Assert.True(result.Status == DnsStreamStatus.Answered, $"{result.Status}: {result.Detail}");
        using PooledDnsMessage reply = result.Reply!;
        Assert.Equal(callerId, Id(reply.Span));
        Assert.Equal(name.TrimEnd('.'), QuestionName(reply.Span).TrimEnd('.'), ignoreCase: true);
        Assert.Equal(marker, Marker(reply.Span));
    }

    public static Task<(PipelinedDnsConnection? Connection, DnsStreamStatus Status, string Detail)> ConnectAsync(IPEndPoint server, DnsConnectionOptions? options = null)
        => PipelinedDnsConnection.ConnectAsync(NameServerEndpoint.ForTcp(server), options ?? new DnsConnectionOptions(), CancellationToken.None).AsTask().WaitAsync(Bound);

    public static async Task<PipelinedDnsConnection> OpenAsync(IPEndPoint server, DnsConnectionOptions? options = null)
    {
        var (connection, status, detail) = await ConnectAsync(server, options);
        Assert.True(connection is not null, $"{status}: {detail}");
        return connection;
    }

    /// <summary>Parses the question name of a query the server received.</summary>
    public static string NameOf(byte[] query) => DnsResponse.Parse(query).Question!.Name;
}
