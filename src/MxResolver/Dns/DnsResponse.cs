using System.Collections.Immutable;
using System.Net;
using System.Runtime.InteropServices;

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
/// <remarks>
/// <para>The OPT pseudo-record is not listed among <see cref="Additionals"/>; its data is in the EDNS properties.</para>
/// <para>
/// The whole message is validated when the response is created, so no property ever throws. The
/// records are decoded from a private copy of the message the first time any section is read (all
/// sections at once), and then kept: every later read, from any thread, sees the same objects.
/// </para>
/// </remarks>
public sealed class DnsResponse
{
    private static readonly IReadOnlyList<DnsRecord> NoRecords = ImmutableArray<DnsRecord>.Empty;

    private readonly ushort _flags;
    private readonly ushort _answerCount;
    private readonly ushort _authorityCount;
    private readonly ushort _additionalCount; // without the OPT record
    private byte[]? _message; // dropped once the sections are decoded
    private Sections? _sections;

    private DnsResponse(byte[] message, DnsHeader header, DnsResponseCode responseCode, DnsQuestion? question, int additionalCount, ushort? ednsUdpPayloadSize)
    {
        _message = message;
        _flags = header.Flags;
        _answerCount = header.AnswerCount;
        _authorityCount = header.AuthorityCount;
        _additionalCount = (ushort)additionalCount;
        Id = header.Id;
        ResponseCode = responseCode;
        Question = question;
        EdnsUdpPayloadSize = ednsUdpPayloadSize;
        MessageSize = message.Length;
    }

    /// <summary>The transaction ID.</summary>
    public ushort Id { get; }

    /// <summary>The response code, extended by the OPT record when present (RFC 6891 §6.1.3).</summary>
    public DnsResponseCode ResponseCode { get; }

    /// <summary>AA: the answer comes from an authoritative server.</summary>
    public bool IsAuthoritative => Header.IsAuthoritative;

    /// <summary>TC: the message was truncated.</summary>
    public bool IsTruncated => Header.IsTruncated;

    /// <summary>RD, copied from the query.</summary>
    public bool RecursionDesired => Header.RecursionDesired;

    /// <summary>RA: the server offers recursion.</summary>
    public bool RecursionAvailable => Header.RecursionAvailable;

    /// <summary>AD: the server validated the data with DNSSEC (RFC 4035 §3.2.3). Meaningful only over a trusted path to the server.</summary>
    public bool AuthenticData => Header.AuthenticData;

    /// <summary>
    /// Whether the response is DNSSEC-secure: <see cref="AuthenticData"/> is set and the server that
    /// sent it is trusted to set it (see <c>DnsStubClientOptions.TrustLoopbackAuthenticatedData</c>).
    /// AD crosses the network unprotected, so it means something only from a validator the path to
    /// which cannot be tampered with (RFC 6840 §5.7, RFC 7672 §8). <see langword="false"/> for a
    /// response not received by a <c>DnsStubClient</c>.
    /// </summary>
    public bool IsSecure { get; internal init; }

    /// <summary>CD: checking disabled (RFC 4035 §3.2.2).</summary>
    public bool CheckingDisabled => Header.CheckingDisabled;

    /// <summary>The question, or <see langword="null"/> if the message carried none.</summary>
    public DnsQuestion? Question { get; }

    /// <summary>The answer section.</summary>
    public IReadOnlyList<DnsRecord> Answers => GetSections().Answers;

    /// <summary>The authority section.</summary>
    public IReadOnlyList<DnsRecord> Authorities => GetSections().Authorities;

    /// <summary>The additional section, without the OPT pseudo-record.</summary>
    public IReadOnlyList<DnsRecord> Additionals => GetSections().Additionals;

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

    private DnsHeader Header => new(Id, _flags, 0, 0, 0, 0);

    /// <summary>
    /// Validates a whole message (every check decoding it would make) and keeps a copy of it; the
    /// records are decoded when first read.
    /// </summary>
    /// <param name="message">The message.</param>
    /// <param name="server">The server it came from, when it came from the network.</param>
    /// <param name="roundTripTime">The time from query to reply, when it came from the network.</param>
    /// <param name="receivedOverTcp">Whether it came over TCP.</param>
    /// <param name="secure">Whether AD is set and the server is trusted to set it.</param>
    /// <exception cref="DnsFormatException">The message is malformed.</exception>
    internal static DnsResponse Parse(ReadOnlySpan<byte> message, IPEndPoint? server = null, TimeSpan roundTripTime = default, bool receivedOverTcp = false, bool secure = false)
    {
        var reader = new DnsMessageReader(message);
        DnsQuestion? question = null;
        while (reader.TryReadQuestion(out DnsQuestionView q))
        {
            question ??= new DnsQuestion(DnsName.Read(message, q.NameOffset), q.Type, q.Class);
        }

        int additionalCount = 0;
        while (reader.TryReadRecord(out DnsRecordView view))
        {
            // Owners were checked by the reader; the data of the types decoded is checked here, so
            // that decoding later cannot fail.
            if (view.Class == DnsRecordClass.IN)
            {
                DnsRecordData.Check(message, view);
            }

            if (view.Section == DnsSection.Additional && view.Type != DnsRecordType.OPT)
            {
                additionalCount++;
            }
        }

        return new DnsResponse(message.ToArray(), reader.Header, reader.ResponseCode, question, additionalCount, reader.HasOpt ? reader.OptUdpPayloadSize : null)
        {
            Server = server,
            RoundTripTime = roundTripTime,
            ReceivedOverTcp = receivedOverTcp,
            IsSecure = secure,
        };
    }

    private Sections GetSections() => Volatile.Read(ref _sections) ?? Decode();

    /// <summary>
    /// Decodes every section from the validated copy. Threads that race here each decode; the first
    /// to publish wins and every caller returns its result.
    /// </summary>
    private Sections Decode()
    {
        byte[]? message = Volatile.Read(ref _message);
        if (message is null)
        {
            return Volatile.Read(ref _sections)!; // dropped only after the sections were published
        }

        DnsRecord[]? answers = _answerCount > 0 ? new DnsRecord[_answerCount] : null;
        DnsRecord[]? authorities = _authorityCount > 0 ? new DnsRecord[_authorityCount] : null;
        DnsRecord[]? additionals = _additionalCount > 0 ? new DnsRecord[_additionalCount] : null;
        int answerIndex = 0;
        int authorityIndex = 0;
        int additionalIndex = 0;

        // Compressed owners usually repeat as pointers to the same labels, most often the
        // question's: decode those once. Only identical bytes share a string, so each owner keeps
        // the case it was sent in.
        var reader = new DnsMessageReader(message);
        string? lastOwner = null;
        int lastOwnerStart = -1;
        if (Question is not null && reader.TryReadQuestion(out DnsQuestionView question))
        {
            lastOwner = Question.Name;
            lastOwnerStart = DnsName.FirstLabelOffset(message, question.NameOffset);
        }

        // Names inside data (MX exchanges above all) are usually compressed against the first of them.
        DnsName.NameMemo dataNames = default;
        while (reader.TryReadRecord(out DnsRecordView view))
        {
            if (view.Type == DnsRecordType.OPT)
            {
                continue;
            }

            int ownerStart = DnsName.FirstLabelOffset(message, view.NameOffset);
            if (ownerStart != lastOwnerStart)
            {
                lastOwner = DnsName.Read(message, view.NameOffset);
                lastOwnerStart = ownerStart;
            }

            DnsRecord record = Materialize(message, view, lastOwner!, ref dataNames);
            switch (view.Section)
            {
                case DnsSection.Answer:
                    answers![answerIndex++] = record;
                    break;
                case DnsSection.Authority:
                    authorities![authorityIndex++] = record;
                    break;
                default:
                    additionals![additionalIndex++] = record;
                    break;
            }
        }

        // The arrays are new and never seen elsewhere: they become the lists without a copy.
        var decoded = new Sections(AsList(answers), AsList(authorities), AsList(additionals));
        Sections published = Interlocked.CompareExchange(ref _sections, decoded, null) ?? decoded;
        Volatile.Write(ref _message, null);
        return published;
    }

    private static IReadOnlyList<DnsRecord> AsList(DnsRecord[]? records)
        => records is null ? NoRecords : ImmutableCollectionsMarshal.AsImmutableArray(records);

    private static DnsRecord Materialize(byte[] message, in DnsRecordView view, string owner, ref DnsName.NameMemo dataNames)
    {
        if (view.Class == DnsRecordClass.IN)
        {
            switch (view.Type)
            {
                case DnsRecordType.MX:
                    string exchange = DnsRecordData.ReadMxExchange(message, view.DataOffset, view.DataLength, out ushort preference, ref dataNames);
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
                case DnsRecordType.TXT:
                    ReadOnlyMemory<byte> txt = message.AsMemory(view.DataOffset, view.DataLength);
                    Range[] ranges = DnsRecordData.ReadTxtStrings(txt.Span);
                    var strings = new ReadOnlyMemory<byte>[ranges.Length];
                    for (int i = 0; i < ranges.Length; i++)
                    {
                        strings[i] = txt[ranges[i]];
                    }

                    return new TxtRecord(owner, view.TimeToLive, strings);
                case DnsRecordType.TLSA:
                    return new TlsaRecord(
                        owner,
                        view.TimeToLive,
                        message[view.DataOffset],
                        message[view.DataOffset + 1],
                        message[view.DataOffset + 2],
                        message.AsMemory(view.DataOffset + DnsRecordData.TlsaFixedLength, view.DataLength - DnsRecordData.TlsaFixedLength));
            }
        }

        // The copy is private and never written: the data can be a window on it.
        return new OpaqueRecord(owner, view.Type, view.Class, view.TimeToLive, message.AsMemory(view.DataOffset, view.DataLength));
    }

    /// <summary>The decoded sections, published together.</summary>
    private sealed record Sections(IReadOnlyList<DnsRecord> Answers, IReadOnlyList<DnsRecord> Authorities, IReadOnlyList<DnsRecord> Additionals);
}
