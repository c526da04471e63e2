@spec:5 @endpoint:POST:/v1/messages
Feature: Messages — POST /v1/messages
  version 1, a single or group target, a sender, a msg_type and a msg_body
  whose compact JSON is at most 4096 bytes. The answer is 200 with a
  msg_id that is positive, unique within the app and increasing (spec/PROFILE.md §5).

  Background:
    Given the registered users "alice bob"

  Scenario Outline: Every message type can be sent to a user: <case>
    When I send "POST" to "/v1/messages" with body:
      """
      {
        "version": 1,
        "target_type": "single",
        "target_id": "{bob}",
        "from_type": "user",
        "from_id": "{alice}",
        "create_time": 1434000000,
        "msg_type": "<type>",
        "msg_body": <body>
      }
      """
    Then the response status is 200
    And the response content type is JSON
    And the JSON at "msg_id" is a positive integer

    Examples:
      | case                      | type   | body                                                                                                                 |
      | text with extras          | text   | {"text": "hello", "extras": {"k": "v"}}                                                                              |
      | voice                     | voice  | {"media_id": "qiniu/voice/1", "media_crc": 12345, "duration": 7, "format": "amr"}                                    |
      | image                     | image  | {"media_id": "qiniu/image/1", "media_crc": 54321, "width": 640, "height": 480}                                       |
      | image with format and link| image  | {"media_id": "qiniu/image/2", "media_crc": 5, "width": 1, "height": 1, "format": "png", "img_link": "http://x/y.png"} |
      | custom                    | custom | {"anything": ["goes", 1, true]}                                                                                      |
      | custom, empty             | custom | {}                                                                                                                   |

  Scenario: A group member can send to the group
    Given a group "team" owned by "alice" with members "bob"
    When I send "POST" to "/v1/messages" with body:
      """
      {"version": 1, "target_type": "group", "target_id": "{gid:team}", "from_type": "user", "from_id": "{bob}",
       "create_time": 1434000000, "msg_type": "text", "msg_body": {"text": "hi all"}}
      """
    Then the response status is 200
    And the JSON at "msg_id" is a positive integer

  Scenario Outline: An admin or robot sender need not be a user: <from_type>
    When I send "POST" to "/v1/messages" with body:
      """
      {"version": 1, "target_type": "single", "target_id": "{bob}", "from_type": "<from_type>", "from_id": "system-1",
       "create_time": 0, "msg_type": "text", "msg_body": {"text": "notice"}}
      """
    Then the response status is 200

    Examples:
      | from_type |
      | admin     |
      | robot     |

  Scenario Outline: The optional fields are accepted: from_platform <platform>
    When I send "POST" to "/v1/messages" with body:
      """
      {"version": 1, "target_type": "single", "target_id": "{bob}", "target_name": "Bob", "from_type": "user",
       "from_id": "{alice}", "from_name": "Alice", "from_platform": "<platform>", "create_time": 1434000000,
       "msg_type": "text", "msg_body": {"text": "hey"}, "colour": "unknown keys are ignored"}
      """
    Then the response status is 200

    Examples:
      | platform |
      | a        |
      | i        |
      | w        |
      | web      |

  Scenario: msg_ids increase
    When I send 20 messages from "alice" to "bob"
    Then their msg_ids are distinct and increasing

  Scenario: A msg_body of exactly 4096 bytes of compact JSON is accepted
    When I send "POST" to "/v1/messages" with body:
      """
      {"version":1,"target_type":"single","target_id":"{bob}","from_type":"user","from_id":"{alice}","create_time":1,"msg_type":"text","msg_body":{"text":"{repeat:x:4085}"}}
      """
    Then the response status is 200

  @code:899003
  Scenario: A msg_body of 4097 bytes of compact JSON is 899003
    When I send "POST" to "/v1/messages" with body:
      """
      {"version":1,"target_type":"single","target_id":"{bob}","from_type":"user","from_id":"{alice}","create_time":1,"msg_type":"text","msg_body":{"text":"{repeat:x:4086}"}}
      """
    Then the request fails with status 400 and code 899003

  @code:899003
  Scenario Outline: A malformed message is 400 899003: <case>
    When I send "POST" to "/v1/messages" with body:
      """
      {"target_type": "single", "target_id": "{bob}", "from_id": "{alice}", "create_time": 1434000000, <fields>}
      """
    Then the request fails with status 400 and code 899003

    Examples:
      | case                      | fields                                                                                       |
      | version 2                 | "version": 2, "from_type": "user", "msg_type": "text", "msg_body": {"text": "x"}             |
      | version true              | "version": true, "from_type": "user", "msg_type": "text", "msg_body": {"text": "x"}          |
      | version "1"               | "version": "1", "from_type": "user", "msg_type": "text", "msg_body": {"text": "x"}           |
      | no version                | "from_type": "user", "msg_type": "text", "msg_body": {"text": "x"}                           |
      | from_type system          | "version": 1, "from_type": "system", "msg_type": "text", "msg_body": {"text": "x"}           |
      | no from_type              | "version": 1, "msg_type": "text", "msg_body": {"text": "x"}                                  |
      | msg_type video            | "version": 1, "from_type": "user", "msg_type": "video", "msg_body": {"text": "x"}            |
      | no msg_type               | "version": 1, "from_type": "user", "msg_body": {"text": "x"}                                 |
      | msg_body a string         | "version": 1, "from_type": "user", "msg_type": "text", "msg_body": "x"                       |
      | no msg_body               | "version": 1, "from_type": "user", "msg_type": "text"                                        |
      | text without text         | "version": 1, "from_type": "user", "msg_type": "text", "msg_body": {"extras": {}}            |
      | text a number             | "version": 1, "from_type": "user", "msg_type": "text", "msg_body": {"text": 5}               |
      | extras not an object      | "version": 1, "from_type": "user", "msg_type": "text", "msg_body": {"text": "x", "extras": 1} |
      | voice without media_id    | "version": 1, "from_type": "user", "msg_type": "voice", "msg_body": {"media_crc": 1, "duration": 2, "format": "amr"} |
      | voice without media_crc   | "version": 1, "from_type": "user", "msg_type": "voice", "msg_body": {"media_id": "m", "duration": 2, "format": "amr"} |
      | voice without duration    | "version": 1, "from_type": "user", "msg_type": "voice", "msg_body": {"media_id": "m", "media_crc": 1, "format": "amr"} |
      | voice without format      | "version": 1, "from_type": "user", "msg_type": "voice", "msg_body": {"media_id": "m", "media_crc": 1, "duration": 2} |
      | voice duration a string   | "version": 1, "from_type": "user", "msg_type": "voice", "msg_body": {"media_id": "m", "media_crc": 1, "duration": "2", "format": "amr"} |
      | image without width       | "version": 1, "from_type": "user", "msg_type": "image", "msg_body": {"media_id": "m", "media_crc": 1, "height": 2} |
      | image without media_id    | "version": 1, "from_type": "user", "msg_type": "image", "msg_body": {"media_crc": 1, "width": 1, "height": 2} |
      | image format a number     | "version": 1, "from_type": "user", "msg_type": "image", "msg_body": {"media_id": "m", "media_crc": 1, "width": 1, "height": 2, "format": 3} |
      | custom a string           | "version": 1, "from_type": "user", "msg_type": "custom", "msg_body": "x"                      |
      | from_platform x           | "version": 1, "from_type": "user", "from_platform": "x", "msg_type": "text", "msg_body": {"text": "x"} |

  @code:899003
  Scenario Outline: Malformed addressing is 400 899003: <case>
    When I send "POST" to "/v1/messages" with body:
      """
      {"version": 1, "msg_type": "text", "msg_body": {"text": "x"}, <fields>}
      """
    Then the request fails with status 400 and code 899003

    Examples:
      | case                | fields                                                                                                 |
      | target_type room    | "target_type": "room", "target_id": "{bob}", "from_type": "user", "from_id": "{alice}", "create_time": 1 |
      | no target_type      | "target_id": "{bob}", "from_type": "user", "from_id": "{alice}", "create_time": 1                      |
      | target_id a number  | "target_type": "single", "target_id": 5, "from_type": "user", "from_id": "{alice}", "create_time": 1   |
      | no target_id        | "target_type": "single", "from_type": "user", "from_id": "{alice}", "create_time": 1                   |
      | empty from_id       | "target_type": "single", "target_id": "{bob}", "from_type": "admin", "from_id": "", "create_time": 1   |
      | no from_id          | "target_type": "single", "target_id": "{bob}", "from_type": "admin", "create_time": 1                  |
      | create_time -1      | "target_type": "single", "target_id": "{bob}", "from_type": "user", "from_id": "{alice}", "create_time": -1 |
      | create_time true    | "target_type": "single", "target_id": "{bob}", "from_type": "user", "from_id": "{alice}", "create_time": true |
      | create_time a string| "target_type": "single", "target_id": "{bob}", "from_type": "user", "from_id": "{alice}", "create_time": "1" |
      | no create_time      | "target_type": "single", "target_id": "{bob}", "from_type": "user", "from_id": "{alice}"               |

  @code:899003
  Scenario Outline: A message body that is not a JSON object is malformed: <case>
    When I send "POST" to "/v1/messages" with body:
      """
      <body>
      """
    Then the request fails with status 400 and code 899003

    Examples:
      | case         | body              |
      | an array     | [{"version": 1}]  |
      | a string     | "hello"           |
      | invalid JSON | {"version": 1     |

  @code:899005
  Scenario: A sender who is not a user is 403 899005
    Given a fresh username "ghost"
    When I send "POST" to "/v1/messages" with body:
      """
      {"version": 1, "target_type": "single", "target_id": "{bob}", "from_type": "user", "from_id": "{ghost}",
       "create_time": 1434000000, "msg_type": "text", "msg_body": {"text": "boo"}}
      """
    Then the request fails with status 403 and code 899005

  @code:899005
  Scenario: A single target who is not a user is 403 899005
    Given a fresh username "ghost"
    When I send "POST" to "/v1/messages" with body:
      """
      {"version": 1, "target_type": "single", "target_id": "{ghost}", "from_type": "admin", "from_id": "admin",
       "create_time": 1434000000, "msg_type": "text", "msg_body": {"text": "boo"}}
      """
    Then the request fails with status 403 and code 899005

  @code:899006
  Scenario: A group target that names no group is 403 899006
    Given a deleted group "gone" owned by "alice"
    When I send "POST" to "/v1/messages" with body:
      """
      {"version": 1, "target_type": "group", "target_id": "{gid:gone}", "from_type": "admin", "from_id": "admin",
       "create_time": 1434000000, "msg_type": "text", "msg_body": {"text": "anyone?"}}
      """
    Then the request fails with status 403 and code 899006

  @code:899003 @spec:7a
  Scenario: A malformed field is reported before an unknown sender
    Given a fresh username "ghost"
    When I send "POST" to "/v1/messages" with body:
      """
      {"version": 2, "target_type": "single", "target_id": "{bob}", "from_type": "user", "from_id": "{ghost}",
       "create_time": 1434000000, "msg_type": "text", "msg_body": {"text": "boo"}}
      """
    Then the request fails with status 400 and code 899003

  @code:899003 @code:899006 @spec:7a
  Scenario: A group target_id that is not a gid is 899003 or 899006
    When I send "POST" to "/v1/messages" with body:
      """
      {"version": 1, "target_type": "group", "target_id": "team", "from_type": "admin", "from_id": "admin",
       "create_time": 1434000000, "msg_type": "text", "msg_body": {"text": "x"}}
      """
    Then the request fails with code 899003 or 899006

  @code:899003 @code:899005 @spec:7a
  Scenario: A sender name that breaks the username rules is 899003 or 899005
    When I send "POST" to "/v1/messages" with body:
      """
      {"version": 1, "target_type": "single", "target_id": "{bob}", "from_type": "user", "from_id": "x y",
       "create_time": 1434000000, "msg_type": "text", "msg_body": {"text": "x"}}
      """
    Then the request fails with code 899003 or 899005

  @impl-defined
  Scenario: A user sending to a group it is not in gets a success or a well-formed error
    Given a registered user "carol"
    And a group "team" owned by "alice" with members "bob"
    When I send "POST" to "/v1/messages" with body:
      """
      {"version": 1, "target_type": "group", "target_id": "{gid:team}", "from_type": "user", "from_id": "{carol}",
       "create_time": 1434000000, "msg_type": "text", "msg_body": {"text": "let me in"}}
      """
    Then the response is a success or a well-formed client error
