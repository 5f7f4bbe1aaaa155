using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;

namespace MxResolver.Dns;

/// <summary>
/// Walks a DNS message (RFC 1035 §4.1) in place: header, questions, then the records of the
/// answer, authority and additional sections in order. Walking allocates nothing.
/// </summary>
/// <remarks>
/// Every read is checked against the bytes actually present before it is made, so a count field
/// that promises more than the message holds ends the walk with a <see cref="DnsFormatException"/>
/// instead of reading past the end. That exception is the only one any input can cause.
/// </remarks>
internal ref struct DnsMessageReader
{
    private const int FixedRecordFieldsLength = 10; // TYPE, CLASS, TTL, RDLENGTH
    private const int FixedQuestionFieldsLength = 4; // QTYPE, QCLASS

    private readonly ReadOnlySpan<byte> _message;
    private int _position;
    private int _questionsLeft;
    private int _answersLeft;
    private int _authoritiesLeft;
    private int _additionalsLeft;
    private uint _optTimeToLive;
    private int _lastOwnerPointer; // the previous owner's two bytes when it was a bare pointer, else -1

    /// <summary>Reads the header of <paramref name="message"/>.</summary>
    /// <exception cref="DnsFormatException">The message is shorter than a header.</exception>
    public DnsMessageReader(ReadOnlySpan<byte> message)
    {
        Header = DnsHeader.Read(message);
        _message = message;
        _position = DnsHeader.Size;
        _questionsLeft = Header.QuestionCount;
        _answersLeft = Header.AnswerCount;
        _authoritiesLeft = Header.AuthorityCount;
        _additionalsLeft = Header.AdditionalCount;
        _lastOwnerPointer = -1;
    }

    public readonly ReadOnlySpan<byte> Message => _message;

    public DnsHeader Header { get; }

    /// <summary>Whether an OPT record was met so far (RFC 6891).</summary>
    public bool HasOpt { get; private set; }

    /// <summary>The sender's UDP payload size from the OPT record, if one was met.</summary>
    public ushort OptUdpPayloadSize { get; private set; }

    /// <summary>The EDNS version from the OPT record.</summary>
    public readonly byte EdnsVersion => (byte)(_optTimeToLive >> 16);

    /// <summary>The DO bit of the OPT record (RFC 3225).</summary>
    public readonly bool DnssecOk => (_optTimeToLive & 0x8000) != 0;

    /// <summary>
    /// The full response code: the header's four bits, extended by the OPT record's upper eight
    /// bits (RFC 6891 §6.1.3). Final only once the additional section has been read.
    /// </summary>
    public readonly DnsResponseCode ResponseCode => (DnsResponseCode)(((_optTimeToLive >> 24) << 4) | (uint)Header.ResponseCode);

    /// <summary>Reads the next question, or returns <see langword="false"/> when none is left.</summary>
    /// <exception cref="DnsFormatException">The question is malformed or cut off.</exception>
    public bool TryReadQuestion(out DnsQuestionView question)
    {
        if (_questionsLeft == 0)
        {
            question = default;
            return false;
        }

        int nameOffset = _position;
        int end = DnsName.Skip(_message, nameOffset);
        if (end + FixedQuestionFieldsLength > _message.Length)
        {
            throw new DnsFormatException("A question is cut off by the end of the message.");
        }

        question = new DnsQuestionView(
            nameOffset,
            (DnsRecordType)BinaryPrimitives.ReadUInt16BigEndian(_message[end..]),
            (DnsRecordClass)BinaryPrimitives.ReadUInt16BigEndian(_message[(end + 2)..]));
        _position = end + FixedQuestionFieldsLength;
        _questionsLeft--;
        return true;
    }

    /// <summary>
    /// Reads the next resource record of the answer, authority or additional section (skipping
    /// any questions not yet read), or returns <see langword="false"/> at the end of the message.
    /// </summary>
    /// <exception cref="DnsFormatException">The record is malformed or cut off.</exception>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool TryReadRecord(out DnsRecordView record)
    {
        while (_questionsLeft > 0)
        {
            TryReadQuestion(out _);
        }

        DnsSection section;
        if (_answersLeft > 0)
        {
            section = DnsSection.Answer;
            _answersLeft--;
        }
        else if (_authoritiesLeft > 0)
        {
            section = DnsSection.Authority;
            _authoritiesLeft--;
        }
        else if (_additionalsLeft > 0)
        {
            section = DnsSection.Additional;
            _additionalsLeft--;
        }
        else
        {
            record = default;
            return false;
        }

        int nameOffset = _position;
        int end;
        if (_lastOwnerPointer >= 0 && nameOffset + 1 < _message.Length && ((_message[nameOffset] << 8) | _message[nameOffset + 1]) == _lastOwnerPointer)
        {
            // The owner is the same bare pointer as the previous record's (the usual shape of an
            // RRset): the same name, already validated.
            end = nameOffset + 2;
        }
        else
        {
            end = DnsName.Skip(_message, nameOffset);
            _lastOwnerPointer = end == nameOffset + 2 && _message[nameOffset] >= 0xC0 ? (_message[nameOffset] << 8) | _message[nameOffset + 1] : -1;
        }

        if (end + FixedRecordFieldsLength > _message.Length)
        {
            ThrowRecordCutOff();
        }

        ReadOnlySpan<byte> fixedFields = _message.Slice(end, FixedRecordFieldsLength);
        var type = (DnsRecordType)BinaryPrimitives.ReadUInt16BigEndian(fixedFields);
        var recordClass = (DnsRecordClass)BinaryPrimitives.ReadUInt16BigEndian(fixedFields[2..]);
        uint ttl = BinaryPrimitives.ReadUInt32BigEndian(fixedFields[4..]);
        int dataLength = BinaryPrimitives.ReadUInt16BigEndian(fixedFields[8..]);
        int dataOffset = end + FixedRecordFieldsLength;
        if (dataOffset + dataLength > _message.Length)
        {
            ThrowDataPastEnd(type, dataLength);
        }

        record = new DnsRecordView(section, nameOffset, type, recordClass, ttl, dataOffset, dataLength);
        _position = dataOffset + dataLength;

        if (type == DnsRecordType.OPT)
        {
            // RFC 6891 §6.1.1: at most one OPT, in the additional section, owned by the root.
            if (section != DnsSection.Additional || HasOpt || _message[nameOffset] != 0)
            {
                ThrowMisplacedOpt();
            }

            HasOpt = true;
            OptUdpPayloadSize = (ushort)recordClass;
            _optTimeToLive = ttl;
        }

        return true;
    }

    [DoesNotReturn]
    private static void ThrowRecordCutOff() => throw new DnsFormatException("A resource record is cut off by the end of the message.");

    [DoesNotReturn]
    private static void ThrowDataPastEnd(DnsRecordType type, int dataLength)
        => throw new DnsFormatException($"A {type} record's RDATA of {dataLength} bytes runs past the end of the message.");

    [DoesNotReturn]
    private static void ThrowMisplacedOpt() => throw new DnsFormatException("An OPT record is misplaced, duplicated or not owned by the root.");

    /// <summary>Reads every remaining record, so that <see cref="ResponseCode"/> and the OPT data are final.</summary>
    /// <exception cref="DnsFormatException">A record is malformed.</exception>
    public void ReadToEnd()
    {
        while (TryReadRecord(out _))
        {
        }
    }
}
