using MxResolver;
using MxResolver.WebApi;

WebApplicationBuilder builder = WebApplication.CreateSlimBuilder(args);

// Options from appsettings.json section "MxResolver" (empty NameServers: the system's name servers),
// validated when the app starts.
builder.Services.AddMxResolver(builder.Configuration.GetSection(MxResolverServiceCollectionExtensions.DefaultSectionName));
builder.Services.ConfigureHttpJsonOptions(options => options.SerializerOptions.TypeInfoResolverChain.Insert(0, WebApiJsonContext.Default));

WebApplication app = builder.Build();
app.MapGet("/mx/{domain}", MailEndpoints.ResolveAsync);
app.MapGet("/can-receive-mail", MailEndpoints.CanReceiveMailAsync);
app.Run();

/// <summary>The entry point; public so that tests can start the app with <c>WebApplicationFactory&lt;Program&gt;</c>.</summary>
public partial class Program;
