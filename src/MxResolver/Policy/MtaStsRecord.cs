using System.Diagnostics.CodeAnalysis;

namespace MxResolver.Policy;

/// <summary>
/// The MTA-STS TXT record at <c>_mta-sts.&lt;Policy Domain&gt;</c> (RFC 8461 §3.1): it announces a
/// policy and names its current version with <c>id</c>.
/// </summary>
internal sealed class MtaStsRecord
{
    /// <summary>The version field that starts every MTA-STS record (RFC 8461 §3.1, case-sensitive).</summary>
    public const string VersionField = "v=STSv1";

    private MtaStsRecord(string id) => Id = id;

    /// <summary>The policy instance id: 1–32 letters and digits (RFC 8461 §3.1 <c>id</c>).</summary>
    public string Id { get; }

    /// <summary>
    /// Finds and parses the MTA-STS record among the TXT records of <c>_mta-sts.&lt;domain&gt;</c>
    /// (RFC 8461 §3.1). The strings of each record are joined; records not beginning with
    /// <c>v=STSv1</c> are discarded; exactly one must remain and it must be valid, with an
    /// <c>id</c>. Otherwise the domain has no available policy (the sender skips the policy
    /// fetch) and <paramref name="error"/> says why. A repeated <c>id</c>: the first counts
    /// (RFC 8461 §3.2 on non-repeated fields). Unknown fields are ignored.
    /// </summary>
    /// <param name="records">The TXT records, each as its list of character-strings.</param>
    /// <param name="record">The record, when there is exactly one valid one.</param>
    /// <param name="error">Why there is none, otherwise.</param>
    public static bool TryParse(
        IEnumerable<IReadOnlyList<string>> records,
        [NotNullWhen(true)] out MtaStsRecord? record,
        [NotNullWhen(false)] out string? error)
    {
        record = null;
        if (!TxtRecordFields.TryReadSingle(records, VersionField, out List<KeyValuePair<string, string>>? fields, out error))
        {
            return false;
        }

        string? id = null;
        foreach ((string name, string value) in fields)
        {
            if (name == "id" && id is null)
            {
                if (!IsValidId(value))
                {
                    error = $"id {PolicyText.Quote(value)} is not 1 to 32 letters and digits";
                    return false;
                }

                id = value;
            }
        }

        if (id is null)
        {
            error = "the record has no id field";
            return false;
        }

        record = new MtaStsRecord(id);
        return true;
    }

    private static bool IsValidId(string value)
    {
        if (value.Length is 0 or > 32)
        {
            return false;
        }

        foreach (char c in value)
        {
            if (!PolicyText.IsAlnum(c))
            {
                return false;
            }
        }

        return true;
    }
}
