import CloudCore
import Diagnostics
import Foundation
import Testing
import TestSupport
@testable import AWSProvider

// Responses as the EC2 API reference shows them (trimmed to what matters, and closed where
// the reference's own samples leave an `<item>` open).

private let runInstancesResponse = """
    <RunInstancesResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/">
      <requestId>59dbff89-35bd-4eac-99ed-be587EXAMPLE</requestId>
      <reservationId>r-1234567890abcdef0</reservationId>
      <ownerId>123456789012</ownerId>
      <groupSet/>
      <instancesSet>
        <item>
          <instanceId>i-1234567890abcdef0</instanceId>
          <imageId>ami-bff32ccc</imageId>
          <instanceState>
            <code>0</code>
            <name>pending</name>
          </instanceState>
          <privateDnsName/>
          <dnsName/>
          <reason/>
          <keyName>my-key-pair</keyName>
          <amiLaunchIndex>0</amiLaunchIndex>
          <productCodes/>
          <instanceType>t2.micro</instanceType>
          <launchTime>2015-12-22T10:44:05.000Z</launchTime>
          <placement>
            <availabilityZone>eu-west-1c</availabilityZone>
            <groupName/>
            <tenancy>default</tenancy>
          </placement>
          <monitoring>
            <state>disabled</state>
          </monitoring>
          <subnetId>subnet-56f5f633</subnetId>
          <vpcId>vpc-11112222</vpcId>
          <privateIpAddress>192.168.1.88</privateIpAddress>
          <sourceDestCheck>true</sourceDestCheck>
          <groupSet>
            <item>
              <groupId>sg-e4076980</groupId>
              <groupName>SecurityGroup1</groupName>
            </item>
          </groupSet>
          <architecture>x86_64</architecture>
          <rootDeviceType>ebs</rootDeviceType>
          <rootDeviceName>/dev/xvda</rootDeviceName>
          <blockDeviceMapping/>
          <virtualizationType>hvm</virtualizationType>
          <clientToken/>
          <tagSet>
            <item>
              <key>Name</key>
              <value>Server_1</value>
            </item>
          </tagSet>
          <hypervisor>xen</hypervisor>
          <networkInterfaceSet>
            <item>
              <networkInterfaceId>eni-551ba033</networkInterfaceId>
              <subnetId>subnet-56f5f633</subnetId>
              <vpcId>vpc-11112222</vpcId>
              <description/>
              <ownerId>123456789012</ownerId>
              <status>in-use</status>
              <macAddress>02:dd:2c:5e:01:69</macAddress>
              <privateIpAddress>192.168.1.88</privateIpAddress>
              <privateDnsName>ip-192-168-1-88.eu-west-1.compute.internal</privateDnsName>
              <sourceDestCheck>true</sourceDestCheck>
              <privateIpAddressesSet>
                <item>
                  <privateIpAddress>192.168.1.88</privateIpAddress>
                  <primary>true</primary>
                </item>
              </privateIpAddressesSet>
            </item>
          </networkInterfaceSet>
          <ebsOptimized>false</ebsOptimized>
        </item>
      </instancesSet>
    </RunInstancesResponse>
    """

/// Two reservations, the second with two instances, and a next page (`XMLTreeTests` reads it too).
let describeInstancesResponse = """
    <?xml version="1.0" encoding="UTF-8"?>
    <DescribeInstancesResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/">
      <requestId>8f7724cf-496f-496e-8fe3-example</requestId>
      <reservationSet>
        <item>
          <reservationId>r-1234567890abcdef0</reservationId>
          <ownerId>123456789012</ownerId>
          <groupSet/>
          <instancesSet>
            <item>
              <instanceId>i-1234567890abcdef0</instanceId>
              <imageId>ami-bff32ccc</imageId>
              <instanceState>
                <code>16</code>
                <name>running</name>
              </instanceState>
              <privateDnsName>ip-192-168-1-88.eu-west-1.compute.internal</privateDnsName>
              <dnsName>ec2-54-194-252-215.eu-west-1.compute.amazonaws.com</dnsName>
              <keyName>my_keypair</keyName>
              <instanceType>t2.micro</instanceType>
              <launchTime>2018-05-08T16:46:19.000Z</launchTime>
              <placement>
                <availabilityZone>eu-west-1c</availabilityZone>
                <tenancy>default</tenancy>
              </placement>
              <subnetId>subnet-56f5f633</subnetId>
              <privateIpAddress>192.168.1.88</privateIpAddress>
              <ipAddress>54.194.252.215</ipAddress>
              <groupSet>
                <item>
                  <groupId>sg-e4076980</groupId>
                  <groupName>SecurityGroup1</groupName>
                </item>
              </groupSet>
              <tagSet>
                <item>
                  <key>Name</key>
                  <value>web server &amp; caf\u{E9}</value>
                </item>
                <item>
                  <key>team</key>
                  <value>platform</value>
                </item>
              </tagSet>
            </item>
          </instancesSet>
        </item>
        <item>
          <reservationId>r-0598c7d356eba48d7</reservationId>
          <ownerId>123456789012</ownerId>
          <instancesSet>
            <item>
              <instanceId>i-0598c7d356eba48d7</instanceId>
              <imageId>ami-bff32ccc</imageId>
              <instanceState>
                <code>80</code>
                <name>stopped</name>
              </instanceState>
              <instanceType>t3.small</instanceType>
              <launchTime>2018-05-08T16:46:19.000Z</launchTime>
              <placement>
                <availabilityZone>eu-west-1a</availabilityZone>
              </placement>
              <privateIpAddress>192.168.2.10</privateIpAddress>
            </item>
            <item>
              <instanceId>i-0bb3a9a8a5d1d06a2</instanceId>
              <imageId>ami-bff32ccc</imageId>
              <instanceState>
                <code>48</code>
                <name>terminated</name>
              </instanceState>
              <instanceType>t3.small</instanceType>
              <placement>
                <availabilityZone>eu-west-1a</availabilityZone>
              </placement>
            </item>
          </instancesSet>
        </item>
      </reservationSet>
      <nextToken>eyJ2IjoiMiIsImMiOiJ0b2tlbiJ9</nextToken>
    </DescribeInstancesResponse>
    """

private func stateChange(_ action: String, _ id: String, from previous: (Int, String), to current: (Int, String)) -> String {
    """
    <\(action)Response xmlns="http://ec2.amazonaws.com/doc/2016-11-15/">
      <requestId>59dbff89-35bd-4eac-99ed-be587EXAMPLE</requestId>
      <instancesSet>
        <item>
          <instanceId>\(id)</instanceId>
          <currentState>
            <code>\(current.0)</code>
            <name>\(current.1)</name>
          </currentState>
          <previousState>
            <code>\(previous.0)</code>
            <name>\(previous.1)</name>
          </previousState>
        </item>
      </instancesSet>
    </\(action)Response>
    """
}

private func ec2Error(_ code: String, _ message: String) -> String {
    """
    <?xml version="1.0" encoding="UTF-8"?>
    <Response><Errors><Error><Code>\(code)</Code><Message>\(message)</Message></Error></Errors>\
    <RequestID>ea966190-f9aa-478e-9ede-example</RequestID></Response>
    """
}

@Suite struct EC2ClientTests {
    private static let contentType = "application/x-www-form-urlencoded; charset=utf-8"

    private func ec2(_ transport: ScriptedTransport, attempts: Int = 3) -> EC2Client {
        let quiet = Logger(label: "test", sink: LogSink(fileDescriptor: 2, level: .off))
        let chain = AWSCredentialChain(settings: .init(accessKeyId: "AKIDEXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"),
                                       environment: [:], metadataTransport: transport, sts: UnusedSTS(), logger: quiet)
        return EC2Client(client: AWSClient(transport: transport, credentials: chain,
                                           endpoints: AWSEndpoints(region: "us-east-1", override: nil, environment: [:]),
                                           retry: RetryPolicy(maxAttempts: attempts, base: .milliseconds(1), maximumDelay: .milliseconds(5)),
                                           logger: quiet))
    }

    // MARK: - Request shapes

    @Test func runInstancesSendsTheCanonicalFormBodySignedForEC2InTheRegion() async throws {
        let transport = ScriptedTransport(.xml(200, runInstancesResponse))
        let instance = try await ec2(transport).runInstance(
            imageId: "ami-bff32ccc", instanceType: "t2.micro", subnetId: "subnet-56f5f633", securityGroupIds: ["sg-e4076980", "sg-1a2b3c4d"],
            availabilityZone: nil, keyName: "my-key-pair", userData: "#cloud-config\nruncmd: [\"echo ~>?\"]\n",
            tags: ["Name": "web server 1", "team": "caf\u{E9} \u{2615}", "a+b": "x*y/z"], clientToken: "token-1")
        #expect(instance.instanceId == "i-1234567890abcdef0")

        let request = try #require(transport.requests.first)
        #expect(request.method == "POST")
        #expect(request.url.absoluteString == "https://ec2.us-east-1.amazonaws.com/")
        #expect(request.header("Content-Type") == Self.contentType)
        #expect(transport.bodies == [
            "Action=RunInstances&Version=2016-11-15&ImageId=ami-bff32ccc&InstanceType=t2.micro&MinCount=1&MaxCount=1"
                + "&ClientToken=token-1&SubnetId=subnet-56f5f633&SecurityGroupId.1=sg-e4076980&SecurityGroupId.2=sg-1a2b3c4d"
                + "&KeyName=my-key-pair&UserData=I2Nsb3VkLWNvbmZpZwpydW5jbWQ6IFsiZWNobyB%2BPj8iXQo%3D"
                + "&TagSpecification.1.ResourceType=instance"
                + "&TagSpecification.1.Tag.1.Key=Name&TagSpecification.1.Tag.1.Value=web%20server%201"
                + "&TagSpecification.1.Tag.2.Key=a%2Bb&TagSpecification.1.Tag.2.Value=x%2Ay%2Fz"
                + "&TagSpecification.1.Tag.3.Key=team&TagSpecification.1.Tag.3.Value=caf%C3%A9%20%E2%98%95",
        ])
        let authorization = try #require(request.header("Authorization"))
        #expect(authorization.hasPrefix("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/"))
        #expect(authorization.contains("/us-east-1/ec2/aws4_request, SignedHeaders=content-type;host;x-amz-date, Signature="))
        #expect(!authorization.contains("wJalrXUtnFEMI"))
    }

    @Test func theSignatureCoversExactlyTheBodySent() async throws {
        let transport = ScriptedTransport(.xml(200, describeInstancesResponse))
        _ = try await ec2(transport).describeInstances(filters: [("tag:Name", ["web server 1"])])
        let sent = try #require(transport.requests.first)
        let date = try #require(Self.date(amz: sent.header("X-Amz-Date") ?? ""))
        let unsigned = HTTPRequest(method: sent.method, url: sent.url, headers: [("Content-Type", Self.contentType)], body: sent.body)
        let signer = AWSSigner(credentials: .init(accessKeyId: "AKIDEXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"),
                               region: "us-east-1", service: "ec2")
        #expect(signer.signed(unsigned, date: date) == sent)
        #expect(transport.bodies == ["Action=DescribeInstances&Version=2016-11-15&Filter.1.Name=tag%3AName&Filter.1.Value.1=web%20server%201"])
    }

    @Test func describeInstancesSendsIdsFiltersAndPaging() async throws {
        let transport = ScriptedTransport(.xml(200, describeInstancesResponse), .xml(200, describeInstancesResponse))
        let client = ec2(transport)
        _ = try await client.describeInstances(ids: ["i-1234567890abcdef0", "i-0598c7d356eba48d7"])
        _ = try await client.describeInstances(filters: [("tag:Name", ["web server 1", "db"]), ("instance-state-name", ["running"])],
                                               maxResults: 5, nextToken: "eyJ2IjoiMiJ9")
        #expect(transport.bodies == [
            "Action=DescribeInstances&Version=2016-11-15&InstanceId.1=i-1234567890abcdef0&InstanceId.2=i-0598c7d356eba48d7",
            "Action=DescribeInstances&Version=2016-11-15&Filter.1.Name=tag%3AName&Filter.1.Value.1=web%20server%201"
                + "&Filter.1.Value.2=db&Filter.2.Name=instance-state-name&Filter.2.Value.1=running&MaxResults=5&NextToken=eyJ2IjoiMiJ9",
        ])
    }

    @Test func theProviderPassesKeyNameAndSecurityGroupsToRunInstances() async throws {
        let transport = ScriptedTransport(.xml(200, runInstancesResponse))
        let aws = AWSCloudProvider(
            configuration: ProviderConfiguration(name: "prod", kind: .aws, region: "us-east-1",
                                                 settings: ["accessKeyId": .string("AKIDEXAMPLE"), "secretAccessKey": .string("secret")]),
            environment: ["HOME": "/nonexistent"], logger: Logger(label: "t", sink: LogSink(fileDescriptor: 2, level: .off)),
            transport: transport, metadataTransport: transport)
        var request = CreateInstanceRequest(name: "web", image: "ami-bff32ccc", subnet: "subnet-1")
        request.keyName = "ops key"
        request.securityGroups = ["sg-1", "sg-2"]
        request.clientToken = "deploy-42"
        _ = try await aws.createInstance(request)
        let body = try #require(transport.bodies.first)
        #expect(body.contains("&ClientToken=deploy-42&"), "the caller's idempotency key is EC2's")
        #expect(body.contains("&SecurityGroupId.1=sg-1&SecurityGroupId.2=sg-2&"))
        #expect(body.contains("&KeyName=ops%20key&"))
    }

    @Test func aDiskSizeUsesTheAMIsRootDeviceAndAPublicIPChoiceGoesOnTheInterface() async throws {
        let image = """
            <DescribeImagesResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/"><requestId>r</requestId><imagesSet><item>\
            <imageId>ami-bff32ccc</imageId><rootDeviceName>/dev/xvda</rootDeviceName><rootDeviceType>ebs</rootDeviceType>\
            </item></imagesSet></DescribeImagesResponse>
            """
        let transport = ScriptedTransport(.xml(200, image), .xml(200, runInstancesResponse))
        let aws = AWSCloudProvider(
            configuration: ProviderConfiguration(name: "prod", kind: .aws, region: "us-east-1",
                                                 settings: ["accessKeyId": .string("AKIDEXAMPLE"), "secretAccessKey": .string("secret")]),
            environment: ["HOME": "/nonexistent"], logger: Logger(label: "t", sink: LogSink(fileDescriptor: 2, level: .off)),
            transport: transport, metadataTransport: transport)
        var request = CreateInstanceRequest(name: "web", image: "ami-bff32ccc", subnet: "subnet-1")
        request.securityGroups = ["sg-1"]
        request.diskSizeGb = 50
        request.publicIP = false
        _ = try await aws.createInstance(request)
        #expect(transport.bodies.first == "Action=DescribeImages&Version=2016-11-15&ImageId.1=ami-bff32ccc")
        let body = try #require(transport.bodies.last)
        #expect(body.contains("&NetworkInterface.1.DeviceIndex=0&NetworkInterface.1.AssociatePublicIpAddress=false&NetworkInterface.1.DeleteOnTermination=true"
                              + "&NetworkInterface.1.SubnetId=subnet-1&NetworkInterface.1.SecurityGroupId.1=sg-1&"), "\(body)")
        #expect(!body.contains("&SubnetId=") && !body.contains("&SecurityGroupId.1="), "EC2 refuses them beside a network interface")
        #expect(body.contains("&BlockDeviceMapping.1.DeviceName=%2Fdev%2Fxvda&BlockDeviceMapping.1.Ebs.VolumeSize=50"
                              + "&BlockDeviceMapping.1.Ebs.VolumeType=gp3&BlockDeviceMapping.1.Ebs.DeleteOnTermination=true"), "\(body)")
    }

    @Test func anInstanceFilterBecomesTagAndStateFilters() throws {
        let filters = try #require(EC2Filters.of(InstanceFilter(tags: ["team": "a b", "env": "prod"], states: [.creating, .stopped])))
        #expect(filters.map(\.name) == ["tag:env", "tag:team", "instance-state-name"])
        #expect(filters.map(\.values) == [["prod"], ["a b"], ["pending", "stopped"]])
        #expect(EC2Filters.of(InstanceFilter())?.isEmpty == true)
        #expect(EC2Filters.of(InstanceFilter(states: [.failed])) == nil, "no EC2 instance is ever 'failed'")
        #expect(EC2Filters.of(InstanceFilter(states: [.deleting, .deleted]))?.first?.values == ["shutting-down", "terminated"])
    }

    @Test func stateChangesSendEveryIdAndAnswerEachChange() async throws {
        let transport = ScriptedTransport(
            .xml(200, stateChange("StopInstances", "i-1234567890abcdef0", from: (16, "running"), to: (64, "stopping"))),
            .xml(200, stateChange("StartInstances", "i-1234567890abcdef0", from: (80, "stopped"), to: (0, "pending"))),
            .xml(200, stateChange("TerminateInstances", "i-1234567890abcdef0", from: (16, "running"), to: (32, "shutting-down"))))
        let client = ec2(transport)
        let stopped = try await client.stopInstances(["i-1234567890abcdef0"])
        let started = try await client.startInstance("i-1234567890abcdef0")
        let terminated = try await client.terminateInstance("i-1234567890abcdef0")
        #expect(stopped.map(\.currentState) == ["stopping"] && stopped.map(\.previousState) == ["running"])
        #expect(started.currentState == "pending" && started.previousState == "stopped")
        #expect(terminated.instanceId == "i-1234567890abcdef0" && terminated.currentState == "shutting-down")
        #expect(transport.bodies == ["StopInstances", "StartInstances", "TerminateInstances"].map {
            "Action=\($0)&Version=2016-11-15&InstanceId.1=i-1234567890abcdef0"
        })
    }

    // MARK: - Responses

    @Test func runInstancesReadsTheLaunchedInstanceNotItsNestedInterfaces() async throws {
        let instance = try await ec2(ScriptedTransport(.xml(200, runInstancesResponse))).runInstance(
            imageId: "ami-bff32ccc", instanceType: "t2.micro", subnetId: nil, availabilityZone: nil, keyName: nil, userData: nil,
            tags: [:], clientToken: "t")
        #expect(instance == EC2Instance(instanceId: "i-1234567890abcdef0", imageId: "ami-bff32ccc", state: "pending",
                                        instanceType: "t2.micro", availabilityZone: "eu-west-1c", privateIP: "192.168.1.88",
                                        publicIP: nil, launchTime: "2015-12-22T10:44:05.000Z", tags: ["Name": "Server_1"]))
    }

    @Test func describeInstancesReadsEveryReservationAndTheNextToken() async throws {
        let page = try await ec2(ScriptedTransport(.xml(200, describeInstancesResponse))).describeInstances()
        #expect(page.instances.map(\.instanceId) == ["i-1234567890abcdef0", "i-0598c7d356eba48d7", "i-0bb3a9a8a5d1d06a2"])
        #expect(page.instances.map(\.state) == ["running", "stopped", "terminated"])
        #expect(page.nextToken == "eyJ2IjoiMiIsImMiOiJ0b2tlbiJ9")
        let first = try #require(page.instances.first)
        #expect(first.tags == ["Name": "web server & caf\u{E9}", "team": "platform"])
        #expect(first.publicIP == "54.194.252.215" && first.privateIP == "192.168.1.88" && first.availabilityZone == "eu-west-1c")
        let shared = first.instance(provider: "prod")
        #expect(shared.name == "web server & caf\u{E9}" && shared.state == .running && shared.createdAt.hasPrefix("2018-05-08T16:46:19"))
        #expect(page.instances.map { EC2Instance.status($0.state) } == [.running, .stopped, .deleted])
    }

    @Test func theLastPageHasNoNextToken() async throws {
        let last = describeInstancesResponse.replacingOccurrences(of: "<nextToken>eyJ2IjoiMiIsImMiOiJ0b2tlbiJ9</nextToken>", with: "")
        #expect(try await ec2(ScriptedTransport(.xml(200, last))).describeInstances().nextToken == nil)
        let empty = "<DescribeInstancesResponse><requestId>r</requestId><reservationSet/></DescribeInstancesResponse>"
        let none = try await ec2(ScriptedTransport(.xml(200, empty))).describeInstances(filters: [("tag:Name", ["nothing"])])
        #expect(none.instances.isEmpty && none.nextToken == nil)
    }

    @Test func aSuccessThatIsNotXMLIsAMalformedResponse() async throws {
        let transport = ScriptedTransport(HTTPResponse(status: 200, body: Array("<html>proxy login".utf8)))
        await #expect(throws: CloudProviderError.providerError(ProviderFailure(
            httpStatus: 200, code: "MalformedResponse", message: "EC2 answered DescribeInstances with a body that is not XML"))) {
            try await ec2(transport).describeInstances()
        }
    }

    // MARK: - Errors

    @Test func anUnknownInstanceIsNotFound() async throws {
        let transport = ScriptedTransport(.xml(400, ec2Error("InvalidInstanceID.NotFound", "The instance ID 'i-1a2b3c4d' does not exist")))
        await #expect(throws: CloudProviderError.notFound(resourceType: "instance", name: "i-1a2b3c4d")) {
            try await ec2(transport).describeInstances(ids: ["i-1a2b3c4d"])
        }
        #expect(transport.requests.count == 1)
    }

    @Test func anInstanceInTheWrongStateIsAConflict() async throws {
        let message = "The instance 'i-1234567890abcdef0' is not in a state from which it can be started."
        let transport = ScriptedTransport(.xml(400, ec2Error("IncorrectInstanceState", message)))
        await #expect(throws: CloudProviderError.conflict(resourceType: "instance", name: "i-1234567890abcdef0",
                                                          reason: "\(message) (IncorrectInstanceState)")) {
            try await ec2(transport).startInstance("i-1234567890abcdef0")
        }
    }

    @Test func aMissingPermissionIsPermissionDenied() async throws {
        let message = "You are not authorized to perform this operation. Encoded authorization failure message: 4GIOHlTkIaWHQD0Q0m6XSnuUMCm-abcdef"
        let transport = ScriptedTransport(.xml(403, ec2Error("UnauthorizedOperation", message)))
        await #expect(throws: CloudProviderError.permissionDenied(reason: "\(message) (UnauthorizedOperation)")) {
            try await ec2(transport).terminateInstances(["i-1234567890abcdef0"])
        }
        #expect(transport.requests.count == 1, "a refusal is not retried")
    }

    @Test func throttlingIsRetriedWithAFreshSignatureAndThenSucceeds() async throws {
        let transport = ScriptedTransport(.xml(503, ec2Error("RequestLimitExceeded", "Request limit exceeded.")),
                                          .xml(200, describeInstancesResponse))
        let page = try await ec2(transport).describeInstances()
        #expect(page.instances.count == 3)
        #expect(transport.requests.count == 2)
        #expect(transport.bodies[0] == transport.bodies[1])
        #expect(transport.requests.allSatisfy { $0.header("Authorization") != nil && $0.header("X-Amz-Date") != nil })
    }

    @Test func throttlingThatOutlastsTheRetriesIsThrottled() async throws {
        let throttled = HTTPResponse.xml(503, ec2Error("RequestLimitExceeded", "Request limit exceeded."))
        let transport = ScriptedTransport(throttled, throttled, throttled)
        await #expect(throws: CloudProviderError.throttled(retryAfterSeconds: nil, reason: "Request limit exceeded. (RequestLimitExceeded)")) {
            try await ec2(transport, attempts: 3).describeInstances()
        }
        #expect(transport.requests.count == 3)
    }

    @Test func aBrokenConnectionIsRetried() async throws {
        let transport = ScriptedTransport(steps: [.fail(HTTPTransportError(.connection, "connection reset")),
                                           .respond(.xml(200, describeInstancesResponse))])
        #expect(try await ec2(transport).describeInstances().instances.count == 3)
        #expect(transport.requests.count == 2)
    }

    @Test func aRefusedSignatureIsUnauthenticatedAtOnce() async throws {
        let message = "AWS was not able to validate the provided access credentials"
        let transport = ScriptedTransport(.xml(401, ec2Error("AuthFailure", message)))
        await #expect(throws: CloudProviderError.unauthenticated(reason: "\(message) (AuthFailure)")) {
            try await ec2(transport).describeInstances()
        }
        #expect(transport.requests.count == 1, "wrong keys are not retried")
    }

    @Test func aDuplicateKeyPairIsReusedByName() async throws {
        let transport = ScriptedTransport(.xml(400, ec2Error("InvalidKeyPair.Duplicate", "The keypair already exists")))
        let name = try await ec2(transport).importKeyPair(publicKey: "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl")
        #expect(name.hasPrefix("cloud-agent-") && name.count == "cloud-agent-".count + 16)
        #expect(transport.bodies.first?.hasPrefix("Action=ImportKeyPair&Version=2016-11-15&KeyName=\(name)&PublicKeyMaterial=") == true)
    }

    /// `X-Amz-Date` (`20150830T123600Z`) as a date.
    private static func date(amz text: String) -> Date? {
        let digits = text.filter(\.isNumber)
        guard text.count == 16, digits.count == 14 else { return nil }
        func number(_ start: Int, _ length: Int) -> Int? {
            Int(digits.dropFirst(start).prefix(length))
        }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        return calendar.date(from: DateComponents(year: number(0, 4), month: number(4, 2), day: number(6, 2),
                                                  hour: number(8, 2), minute: number(10, 2), second: number(12, 2)))
    }
}

@Suite struct QueryFormTests {
    @Test func actionAndVersionComeFirstThenTheParamsAsGiven() {
        #expect(QueryForm.encode(action: "DescribeInstances", version: "2016-11-15", [("Z", "1"), ("A", "2")])
                == "Action=DescribeInstances&Version=2016-11-15&Z=1&A=2")
    }

    @Test func onlyUnreservedCharactersStayAsTheyAreAndHexIsUppercase() {
        let encoded = QueryForm.encode(action: "A", version: "V", [("k", "a b+c*d~e-f_g.h/i:j=k&l%m\u{E9}\u{2615}\u{1F600}")])
        #expect(encoded == "Action=A&Version=V&k=a%20b%2Bc%2Ad~e-f_g.h%2Fi%3Aj%3Dk%26l%25m%C3%A9%E2%98%95%F0%9F%98%80")
    }

    @Test func listsAreNumberedFromOne() {
        #expect(QueryForm.list("InstanceId", ["i-1", "i-2"]).map { "\($0.0)=\($0.1)" } == ["InstanceId.1=i-1", "InstanceId.2=i-2"])
        #expect(QueryForm.list("InstanceId", []).isEmpty)
    }
}
