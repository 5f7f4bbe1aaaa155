using System.Buffers.Binary;
using MxResolver.Dns;

namespace MxResolver.Transport;

/// <summary>
/// The edns-tcp-keepalive option (RFC 7828): EDNS option code 11. A client signals with an empty
/// option that it would like to keep the connection open; a server answers with a 16-bit TIMEOUT in
/// units of 100 ms, the idle time after which the client should close (RFC 7828 §3.2, §3.3).
/// </summary>
internal static class EdnsTcpKeepalive
{
    /// <summary>The option code (RFC 7828 §2).</summary>
    public const ushort OptionCode = 11;

    /// <summary>The bytes <see cref="TryAppendRequest"/> adds: code, length 0.</summary>
    public const int RequestLength = 4;

    /// <summary>
    /// Reads the server's idle timeout from the OPT record of <paramref name="reply"/>, if it carries
    /// an edns-tcp-keepalive option with a TIMEOUT (RFC 7828 §3.3.2). Never throws: a malformed
    /// message simply has no timeout.
    /// </summary>
    public static bool TryReadTimeout(ReadOnlySpan<byte> reply, out TimeSpan timeout)
    {
        timeout = default;
        if (reply.Length < DnsHeader.Size || BinaryPrimitives.ReadUInt16BigEndian(reply[10..]) == 0)
        {
            return false; // no additional records, so no OPT
        }

        try
        {
            var reader = new DnsMessageReader(reply);
            while (reader.TryReadRecord(out DnsRecordView record))
            {
                if (record.Type != DnsRecordType.OPT)
                {
                    continue;
                }

                // RDATA: a sequence of {code, length, data} (RFC 6891 §6.1.2).
                ReadOnlySpan<byte> options = reply.Slice(record.DataOffset, record.DataLength);
                while (options.Length >= 4)
                {
                    ushort code = BinaryPrimitives.ReadUInt16BigEndian(options);
                    int length = BinaryPrimitives.ReadUInt16BigEndian(options[2..]);
                    if (4 + length > options.Length)
                    {
                        return false;
                    }

                    if (code == OptionCode && length == 2)
                    {
                        timeout = TimeSpan.FromMilliseconds(100 * BinaryPrimitives.ReadUInt16BigEndian(options[4..]));
                        return true;
                    }

                    options = options[(4 + length)..];
                }

                return false;
            }
        }
        catch (DnsFormatException)
        {
            // A malformed reply carries no usable option.
        }

        return false;
    }

    /// <summary>
    /// Copies <paramref name="query"/> to <paramref name="destination"/> with an empty
    /// edns-tcp-keepalive option added to its OPT record (RFC 7828 §3.2.1: a client asks over TCP
    /// with OPTION-LENGTH 0), when the OPT record is the message's last record. Returns the new
    /// length, or 0 (nothing written) when the query has no such OPT record or already carries the option.
    /// </summary>
    public static int TryAppendRequest(ReadOnlySpan<byte> query, Span<byte> destination)
    {
        if (query.Length < DnsHeader.Size || BinaryPrimitives.ReadUInt16BigEndian(query[10..]) == 0 || destination.Length < query.Length + RequestLength)
        {
            return 0;
        }

        try
        {
            var reader = new DnsMessageReader(query);
            DnsRecordView last = default;
            bool any = false;
            while (reader.TryReadRecord(out DnsRecordView record))
            {
                last = record;
                any = true;
            }

            if (!any || last.Type != DnsRecordType.OPT || last.DataOffset + last.DataLength != query.Length || last.DataLength + RequestLength > ushort.MaxValue)
            {
                return 0;
            }

            ReadOnlySpan<byte> options = query.Slice(last.DataOffset, last.DataLength);
            while (options.Length >= 4)
            {
                if (BinaryPrimitives.ReadUInt16BigEndian(options) == OptionCode)
                {
                    return 0;
                }

                options = options[Math.Min(options.Length, 4 + BinaryPrimitives.ReadUInt16BigEndian(options[2..]))..];
            }

            query.CopyTo(destination);
            BinaryPrimitives.WriteUInt16BigEndian(destination[(last.DataOffset - 2)..], (ushort)(last.DataLength + RequestLength));
            BinaryPrimitives.WriteUInt16BigEndian(destination[query.Length..], OptionCode);
            BinaryPrimitives.WriteUInt16BigEndian(destination[(query.Length + 2)..], 0);
            return query.Length + RequestLength;
        }
        catch (DnsFormatException)
        {
            return 0;
        }
    }
}
