public class Smoke { [Fact] public void True() => Assert.True(MxResolver.Dns.DnsRecordType.MX == (MxResolver.Dns.DnsRecordType)15); }
