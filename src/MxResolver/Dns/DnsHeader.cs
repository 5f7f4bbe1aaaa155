using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;

namespace MxResolver.Dns;

/// <summary>The fixed 12-byte header of a DNS message (RFC 1035 §4.1.1).</summary>
internal readonly struct DnsHeader
{
    public const int Size = 12;

    private const ushort QrMask = 0x8000;
    private const ushort AaMask = 0x0400;
    private const ushort TcMask = 0x0200;
    private const ushort RdMask = 0x0100;
    private const ushort RaMask = 0x0080;
    private const ushort AdMask = 0x0020;
    private const ushort CdMask = 0x0010;

    public DnsHeader(ushort id, ushort flags, ushort questionCount, ushort answerCount, ushort authorityCount, ushort additionalCount)
    {
        Id = id;
        Flags = flags;
        QuestionCount = questionCount;
        AnswerCount = answerCount;
        AuthorityCount = authorityCount;
        AdditionalCount = additionalCount;
    }

    public ushort Id { get; }

    /// <summary>The raw second 16-bit word: QR, OPCODE, AA, TC, RD, RA, Z, AD, CD, RCODE.</summary>
    public ushort Flags { get; }

    public ushort QuestionCount { get; }

    public ushort AnswerCount { get; }

    public ushort AuthorityCount { get; }

    public ushort AdditionalCount { get; }

    public bool IsResponse => (Flags & QrMask) != 0;

    public int Opcode => (Flags >> 11) & 0xF;

    public bool IsAuthoritative => (Flags & AaMask) != 0;

    public bool IsTruncated => (Flags & TcMask) != 0;

    public bool RecursionDesired => (Flags & RdMask) != 0;

    public bool RecursionAvailable => (Flags & RaMask) != 0;

    /// <summary>Authentic data (RFC 4035 §3.2.3).</summary>
    public bool AuthenticData => (Flags & AdMask) != 0;

    /// <summary>Checking disabled (RFC 4035 §3.2.2).</summary>
    public bool CheckingDisabled => (Flags & CdMask) != 0;

    /// <summary>The low four bits of the response code; the OPT record may extend it.</summary>
    public int ResponseCode => Flags & 0xF;

    public static DnsHeader Read(ReadOnlySpan<byte> message)
    {
        if (message.Length < Size)
        {
            ThrowTooShort(message.Length);
        }

        return new DnsHeader(
            BinaryPrimitives.ReadUInt16BigEndian(message),
            BinaryPrimitives.ReadUInt16BigEndian(message[2..]),
            BinaryPrimitives.ReadUInt16BigEndian(message[4..]),
            BinaryPrimitives.ReadUInt16BigEndian(message[6..]),
            BinaryPrimitives.ReadUInt16BigEndian(message[8..]),
            BinaryPrimitives.ReadUInt16BigEndian(message[10..]));
    }

    [DoesNotReturn]
    private static void ThrowTooShort(int length)
        => throw new DnsFormatException($"The message is {length} bytes long, shorter than the {Size}-byte header.");

    public static ushort ComposeFlags(bool isResponse, int opcode, bool authoritative, bool truncated, bool recursionDesired, bool recursionAvailable, bool authenticData, bool checkingDisabled, int responseCode)
    {
        int flags = (isResponse ? QrMask : 0)
            | ((opcode & 0xF) << 11)
            | (authoritative ? AaMask : 0)
            | (truncated ? TcMask : 0)
            | (recursionDesired ? RdMask : 0)
            | (recursionAvailable ? RaMask : 0)
            | (authenticData ? AdMask : 0)
            | (checkingDisabled ? CdMask : 0)
            | (responseCode & 0xF);
        return (ushort)flags;
    }
}
