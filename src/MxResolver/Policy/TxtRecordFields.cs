using System.Text;

namespace MxResolver.Policy;

/// <summary>
/// The <c>v=VERSION; name=value; ...</c> TXT record syntax shared by MTA-STS (RFC 8461 §3.1) and
/// TLS-RPT (RFC 8460 §3): choosing the one record of a version among a name's TXT records, and
/// splitting it into fields.
/// </summary>
internal static class TxtRecordFields
{
    /// <summary>
    /// The fields of the one record of <paramref name="versionField"/> among <paramref name="records"/>
    /// (<see cref="TrySelectSingle"/>, then <see cref="TrySplit"/>): what MTA-STS and TLS-RPT both
    /// read before looking at their own fields.
    /// </summary>
    public static bool TryReadSingle(
        IEnumerable<IReadOnlyList<string>> records,
        string versionField,
        [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out List<KeyValuePair<string, string>>? fields,
        [System.Diagnostics.CodeAnalysis.NotNullWhen(false)] out string? error)
    {
        fields = null;
        if (!TrySelectSingle(records, versionField, out string? text, out error))
        {
            return false;
        }

        var split = new List<KeyValuePair<string, string>>();
        if (!TrySplit(text, versionField, split, out error))
        {
            return false;
        }

        fields = split;
        return true;
    }

    /// <summary>
    /// Joins the character-strings of each record without separators (RFC 8461 §3.1, RFC 8460 §3,
    /// as RFC 7208 §3.3) and keeps those that begin with <paramref name="versionField"/> followed
    /// by the end of the record, WSP or <c>;</c>. The RFCs say records not beginning with
    /// <c>v=...;</c> are discarded; their ABNF also allows WSP before the <c>;</c> (erratum 6285
    /// on RFC 8461), so that form counts too, while <c>v=STSv10</c> does not. Exactly one record
    /// must remain.
    /// </summary>
    private static bool TrySelectSingle(
        IEnumerable<IReadOnlyList<string>> records,
        string versionField,
        [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out string? record,
        [System.Diagnostics.CodeAnalysis.NotNullWhen(false)] out string? error)
    {
        ArgumentNullException.ThrowIfNull(records);
        record = null;
        int count = 0;
        var builder = new StringBuilder();
        foreach (IReadOnlyList<string> strings in records)
        {
            if (strings is null)
            {
                throw new ArgumentException("A TXT record is null.", nameof(records));
            }

            builder.Clear();
            foreach (string s in strings)
            {
                if (s is null)
                {
                    throw new ArgumentException("A TXT character-string is null.", nameof(records));
                }

                builder.Append(s);
            }

            if (!BeginsWithVersion(builder, versionField))
            {
                continue;
            }

            count++;
            record ??= builder.ToString();
        }

        if (count == 1 && record is not null)
        {
            error = null;
            return true;
        }

        record = null;
        error = count == 0
            ? $"no TXT record begins with {versionField}"
            : $"{count} TXT records begin with {versionField}; exactly one is required";
        return false;
    }

    private static bool BeginsWithVersion(StringBuilder text, string versionField)
    {
        if (text.Length < versionField.Length)
        {
            return false;
        }

        for (int i = 0; i < versionField.Length; i++)
        {
            if (text[i] != versionField[i])
            {
                return false;
            }
        }

        return text.Length == versionField.Length || text[versionField.Length] is ';' or ' ' or '\t';
    }

    /// <summary>
    /// Splits a record <c>version *(*WSP ";" *WSP field) [*WSP ";" *WSP]</c> into its fields after
    /// the version. Each field is <c>name=value</c> with a field name as in
    /// <see cref="PolicyText.IsFieldName"/> and a non-empty value without control characters; the
    /// value keeps its inner spaces (a field's own grammar judges them). An empty field is allowed
    /// only as the trailing delimiter.
    /// </summary>
    private static bool TrySplit(
        string record,
        string versionField,
        List<KeyValuePair<string, string>> fields,
        [System.Diagnostics.CodeAnalysis.NotNullWhen(false)] out string? error)
    {
        string[] parts = record.Split(';');
        if (!PolicyText.TrimWsp(parts[0]).SequenceEqual(versionField))
        {
            error = $"the record does not begin with the field {versionField}";
            return false;
        }

        for (int i = 1; i < parts.Length; i++)
        {
            ReadOnlySpan<char> part = PolicyText.TrimWsp(parts[i]);
            if (part.IsEmpty)
            {
                if (i == parts.Length - 1)
                {
                    break;
                }

                error = $"field {i + 1} is empty";
                return false;
            }

            int equals = part.IndexOf('=');
            if (equals < 0)
            {
                error = $"field {i + 1} {PolicyText.Quote(part)} is not name=value";
                return false;
            }

            ReadOnlySpan<char> name = part[..equals];
            ReadOnlySpan<char> value = part[(equals + 1)..];
            if (!PolicyText.IsFieldName(name))
            {
                error = $"field {i + 1} has an invalid name {PolicyText.Quote(name)}";
                return false;
            }

            if (value.IsEmpty || ContainsControl(value))
            {
                error = $"field {PolicyText.Quote(name)} has an empty value or control characters";
                return false;
            }

            fields.Add(new KeyValuePair<string, string>(name.ToString(), value.ToString()));
        }

        error = null;
        return true;
    }

    private static bool ContainsControl(ReadOnlySpan<char> value)
    {
        foreach (char c in value)
        {
            if (c < 0x20 || c == 0x7F)
            {
                return true;
            }
        }

        return false;
    }
}
