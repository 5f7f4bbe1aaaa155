namespace MxResolver.Testing;

/// <summary>RCODE values (RFC 1035 §4.1.1, RFC 6895 §2.3).</summary>
public static class DnsRcodeCode
{
    public const int NoError = 0;
    public const int FormErr = 1;
    public const int ServFail = 2;
    public const int NxDomain = 3;
    public const int NotImp = 4;
    public const int Refused = 5;
    public const int BadVers = 16;
}
