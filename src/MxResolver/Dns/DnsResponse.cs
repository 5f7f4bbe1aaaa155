using System.Net;

namespace MxResolver.Dns;

/// <summary>The question of a DNS message (RFC 1035 §4.1.2).</summary>
public sealed class DnsQuestion
{
    /// <summary>Creates a question.</summary>
    /// <param name="name">The name, fully qualified with a trailing dot.</param>
    /// <param name="type">The QTYPE.</param>
    /// <param name="recordClass">The QCLASS.</param>
    public DnsQuestion(string name, DnsRecordType type, DnsRecordClass recordClass = DnsRecordClass.IN)
    {
        Name = name;
        Type = type;
        Class = recordClass;
    }

    /// <summary>The name, fully qualified with a trailing dot.</summary>
    public string Name { get; }

    /// <summary>The QTYPE.</summary>
    public DnsRecordType Type { get; }

    /// <summary>The QCLASS.</summary>
    public DnsRecordClass Class { get; }

    /// <inheritdoc />
    public override string ToString() => $"{Name} {Class} {Type}";
}

/// <summary>A DNS response: header flags, response code, question and the records of every section.</summary>
/// <remarks>The OPT pseudo-record is not listed among <see cref="Additionals"/>; its data is in the EDNS properties.</remarks>
public sealed class DnsResponse
{
    internal DnsResponse(
        ushort id,
        DnsResponseCode responseCode,
        bool isAuthoritative,
        bool isTruncated,
        bool recursionDesired,
        bool recursionAvailable,
        bool authenticData,
        bool checkingDisabled,
        DnsQuestion? question,
        IReadOnlyList<DnsRecord> answers,
        IReadOnlyList<DnsRecord> authorities,
        IReadOnlyList<DnsRecord> additionals,
        ushort? ednsUdpPayloadSize,
        int messageSize)
    {
        Id = id;
        ResponseCode = responseCode;
        IsAuthoritative = isAuthoritative;
        IsTruncated = isTruncated;
        RecursionDesired = recursionDesired;
        RecursionAvailable = recursionAvailable;
        AuthenticData = authenticData;
        CheckingDisabled = checkingDisabled;
        Question = question;
        Answers = answers;
        Authorities = authorities;
        Additionals = additionals;
        EdnsUdpPayloadSize = ednsUdpPayloadSize;
        MessageSize = messageSize;
    }

    /// <summary>The transaction ID.</summary>
    public ushort Id { get; }

    /// <summary>The response code, extended by the OPT record when present (RFC 6891 §6.1.3).</summary>
    public DnsResponseCode ResponseCode { get; }

    /// <summary>AA: the answer comes from an authoritative server.</summary>
    public bool IsAuthoritative { get; }

    /// <summary>TC: the message was truncated.</summary>
    public bool IsTruncated { get; }

    /// <summary>RD, copied from the query.</summary>
    public bool RecursionDesired { get; }

    /// <summary>RA: the server offers recursion.</summary>
    public bool RecursionAvailable { get; }

    /// <summary>AD: the server validated the data with DNSSEC (RFC 4035 §3.2.3). Meaningful only over a trusted path to the server.</summary>
    public bool AuthenticData { get; }

    /// <summary>CD: checking disabled (RFC 4035 §3.2.2).</summary>
    public bool CheckingDisabled { get; }

    /// <summary>The question, or <see langword="null"/> if the message carried none.</summary>
    public DnsQuestion? Question { get; }

    /// <summary>The answer section.</summary>
    public IReadOnlyList<DnsRecord> Answers { get; }

    /// <summary>The authority section.</summary>
    public IReadOnlyList<DnsRecord> Authorities { get; }

    /// <summary>The additional section, without the OPT pseudo-record.</summary>
    public IReadOnlyList<DnsRecord> Additionals { get; }

    /// <summary>The UDP payload size the server advertised in its OPT record, or <see langword="null"/> without EDNS.</summary>
    public ushort? EdnsUdpPayloadSize { get; }

    /// <summary>The size of the message in bytes.</summary>
    public int MessageSize { get; }

    /// <summary>The name server that sent the response, when it came from the network.</summary>
    public IPEndPoint? Server { get; internal init; }

    /// <summary>The time from sending the query to receiving this response, when it came from the network.</summary>
    public TimeSpan RoundTripTime { get; internal init; }

    /// <summary>Whether the response came over TCP rather than UDP.</summary>
    public bool ReceivedOverTcp { get; internal init; }

    /// <summary>Decodes a whole message.</summary>
    /// <param name="message">The message.</param>
    /// <param name="server">The server it came from, when it came from the network.</param>
    /// <param name="roundTripTime">The time from query to reply, when it came from the network.</param>
    /// <param name="receivedOverTcp">Whether it came over TCP.</param>
    /// <exception cref="DnsFormatException">The message is malformed.</exception>
    internal static DnsResponse Parse(ReadOnlySpan<byte> message, IPEndPoint? server = null, TimeSpan roundTripTime = default, bool receivedOverTcp = false)
    {
        var reader = new DnsMessageReader(message);
        DnsQuestion? question = null;
        while (reader.TryReadQuestion(out DnsQuestionView q))
        {
            question ??= new DnsQuestion(DnsName.Read(message, q.NameOffset), q.Type, q.Class);
        }

        // Lists grow with the records actually present, never with the (unverified) counts.
        var answers = new List<DnsRecord>();
        var authorities = new List<DnsRecord>();
        var additionals = new List<DnsRecord>();
        string? lastOwner = null;
        int lastOwnerStart = -1;
        while (reader.TryReadRecord(out DnsRecordView view))
        {
            if (view.Type == DnsRecordType.OPT)
            {
                continue;
            }

            // Compressed owners usually repeat as pointers to the same labels: decode those once.
            // Only identical bytes share a string, so each owner keeps the case it was sent in.
            int ownerStart = DnsName.FirstLabelOffset(message, view.NameOffset);
            string owner = ownerStart == lastOwnerStart ? lastOwner! : DnsName.Read(message, view.NameOffset);
            lastOwner = owner;
            lastOwnerStart = ownerStart;

            DnsRecord record = Materialize(message, view, owner);
            (view.Section switch
            {
                DnsSection.Answer => answers,
                DnsSection.Authority => authorities,
                _ => additionals,
            }).Add(record);
        }

        DnsHeader header = reader.Header;
        return new DnsResponse(
            header.Id,
            reader.ResponseCode,
            header.IsAuthoritative,
            header.IsTruncated,
            header.RecursionDesired,
            header.RecursionAvailable,
            header.AuthenticData,
            header.CheckingDisabled,
            question,
            answers,
            authorities,
            additionals,
            reader.HasOpt ? reader.OptUdpPayloadSize : null,
            message.Length)
        {
            Server = server,
            RoundTripTime = roundTripTime,
            ReceivedOverTcp = receivedOverTcp,
        };
    }

    private static DnsRecord Materialize(ReadOnlySpan<byte> message, in DnsRecordView view, string owner)
    {
        if (view.Class == DnsRecordClass.IN)
        {
            switch (view.Type)
            {
                case DnsRecordType.MX:
                    string exchange = DnsRecordData.ReadMxExchange(message, view.DataOffset, view.DataLength, out ushort preference);
                    return new MxRecord(owner, view.TimeToLive, preference, exchange);
                case DnsRecordType.A:
                case DnsRecordType.AAAA:
                    return new AddressRecord(owner, view.TimeToLive, DnsRecordData.ReadAddress(message, view));
                case DnsRecordType.CNAME:
                    return new CnameRecord(owner, view.TimeToLive, DnsName.Read(message, DnsRecordData.ReadCname(message, view)));
                case DnsRecordType.SOA:
                    DnsRecordData.SoaFields soa = DnsRecordData.ReadSoa(message, view);
                    return new SoaRecord(
                        owner,
                        view.TimeToLive,
                        DnsName.Read(message, soa.PrimaryNameServerOffset),
                        DnsName.Read(message, soa.ResponsibleMailboxOffset),
                        soa.Serial,
                        soa.Refresh,
                        soa.Retry,
                        soa.Expire,
                        soa.Minimum);
            }
        }

        return new OpaqueRecord(owner, view.Type, view.Class, view.TimeToLive, message.Slice(view.DataOffset, view.DataLength).ToArray());
    }
}
