using MxResolver.Dns;
namespace MxResolver.Transport;

/// <summary>What a received message means for the query it may answer.</summary>
internal enum ReplyVerdict
{
    /// <summary>Not the reply to this query (or forged): discard it and keep waiting (RFC 5452 §9.1).</summary>
    Mismatch,

    /// <summary>A final answer: NOERROR or NXDOMAIN, not truncated.</summary>
    Final,

    /// <summary>TC is set: ask again over TCP.</summary>
    Truncated,

    /// <summary>FORMERR, NOTIMP or BADVERS to a query with OPT: ask again without.</summary>
    EdnsRejected,

    /// <summary>The server gave no final answer (SERVFAIL, REFUSED, ...) or the reply is malformed: move on.</summary>
    Failed,
}

/// <summary>Matches a received message against the query it may answer and classifies it.</summary>
internal static class DnsReplyInspector
{
    /// <summary>Classifies <paramref name="reply"/>; the source address is checked by the connected socket.</summary>
    /// <param name="reply">The message received.</param>
    /// <param name="id">The query's transaction ID.</param>
    /// <param name="name">The query's name.</param>
    /// <param name="type">The query's type; the class is always IN.</param>
    /// <param name="withOpt">Whether the query carried an OPT record.</param>
    /// <param name="error">The failure category when the verdict is <see cref="ReplyVerdict.Failed"/>.</param>
    /// <param name="reason">Why the message was discarded or failed, for logs and the exception message.</param>
    /// <param name="responseCode">The full response code, once the message was read to its end.</param>
    public static ReplyVerdict Inspect(
        ReadOnlySpan<byte> reply,
        ushort id,
        string name,
        DnsRecordType type,
        bool withOpt,
        out DnsQueryError error,
        out string reason,
        out DnsResponseCode responseCode)
    {
        var scan = new DnsReplyScan(stackalloc DnsRecordView[8]);
        try
        {
            return Inspect(reply, id, name, type, withOpt, cut: false, ref scan, out error, out reason, out responseCode);
        }
        finally
        {
            scan.Dispose();
        }
    }

    /// <summary>
    /// Classifies <paramref name="reply"/> like the overload without <paramref name="scan"/>, in the
    /// same single walk keeping in <paramref name="scan"/> the records an answer of
    /// <paramref name="type"/> is built from (complete when the verdict is <see cref="ReplyVerdict.Final"/>).
    /// </summary>
    /// <param name="reply">The message received, or the part of it that fit in the receive buffer.</param>
    /// <param name="id">The query's transaction ID.</param>
    /// <param name="name">The query's name.</param>
    /// <param name="type">The query's type; the class is always IN.</param>
    /// <param name="withOpt">Whether the query carried an OPT record.</param>
    /// <param name="cut">Whether the datagram was longer than the receive buffer: then it is only the start of a message.</param>
    /// <param name="scan">Where the answer's records are kept.</param>
    /// <param name="error">The failure category when the verdict is <see cref="ReplyVerdict.Failed"/>.</param>
    /// <param name="reason">Why the message was discarded or failed, for logs and the exception message.</param>
    /// <param name="responseCode">The full response code, once the message was read to its end.</param>
    public static ReplyVerdict Inspect(
        ReadOnlySpan<byte> reply,
        ushort id,
        string name,
        DnsRecordType type,
        bool withOpt,
        bool cut,
        ref DnsReplyScan scan,
        out DnsQueryError error,
        out string reason,
        out DnsResponseCode responseCode)
    {
        error = default;
        reason = string.Empty;
        responseCode = default;

        // RFC 5452 §9.1: accept only a reply with QR set, the query's ID and the query's question
        // (name compared case-insensitively, RFC 4343); anything else may be forged and must not
        // end the wait.
        if (reply.Length < DnsHeader.Size)
        {
            reason = "shorter than a header";
            return ReplyVerdict.Mismatch;
        }

        DnsHeader header = DnsHeader.Read(reply);
        if (!header.IsResponse)
        {
            reason = "QR bit not set";
            return ReplyVerdict.Mismatch;
        }

        if (header.Id != id)
        {
            reason = "wrong transaction ID";
            return ReplyVerdict.Mismatch;
        }

        if (header.QuestionCount != 1)
        {
            reason = "not exactly one question";
            return ReplyVerdict.Mismatch;
        }

        var reader = new DnsMessageReader(reply);
        try
        {
            reader.TryReadQuestion(out DnsQuestionView question);
            if (question.Type != type || question.Class != DnsRecordClass.IN || !DnsName.EqualsText(reply, question.NameOffset, name))
            {
                reason = "wrong question";
                return ReplyVerdict.Mismatch;
            }
        }
        catch (DnsFormatException)
        {
            reason = "unreadable question";
            return ReplyVerdict.Mismatch;
        }

        // A truncated message may be cut anywhere after the question: do not read further. A
        // datagram cut by the receive buffer is the same (RFC 1035 §4.2.1: over UDP a message
        // longer than the buffer is the start of one, never a whole one).
        if (header.IsTruncated || cut)
        {
            return ReplyVerdict.Truncated;
        }

        try
        {
            // Settles the extended RCODE (RFC 6891 §6.1.3), validates every record, and keeps the answer's records.
            scan.ReadToEnd(reader, type);
        }
        catch (DnsFormatException e)
        {
            error = DnsQueryError.MalformedResponse;
            reason = e.Message;
            return ReplyVerdict.Failed;
        }

        responseCode = scan.ResponseCode;
        switch (responseCode)
        {
            case DnsResponseCode.NoError:
            case DnsResponseCode.NameError:
                return ReplyVerdict.Final;
            case DnsResponseCode.FormatError:
            case DnsResponseCode.NotImplemented:
            case DnsResponseCode.BadVersion:
                if (withOpt)
                {
                    return ReplyVerdict.EdnsRejected;
                }

                error = DnsQueryError.NotImplemented;
                reason = responseCode == DnsResponseCode.FormatError ? "FORMERR" : "NOTIMP";
                return ReplyVerdict.Failed;
            case DnsResponseCode.Refused:
                error = DnsQueryError.Refused;
                reason = "REFUSED";
                return ReplyVerdict.Failed;
            case DnsResponseCode.ServerFailure:
                error = DnsQueryError.ServerFailure;
                reason = "SERVFAIL";
                return ReplyVerdict.Failed;
            default:
                error = DnsQueryError.ServerFailure;
                reason = "unexpected RCODE " + ((int)responseCode).ToString(System.Globalization.CultureInfo.InvariantCulture);
                return ReplyVerdict.Failed;
        }
    }
}
