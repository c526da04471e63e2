@spec:1
Feature: Transport — paths, methods, content types
  Every path works with and without its trailing slash; request bodies are
  JSON, accepted with any Content-Type parameters; every answer with a body
  is application/json; an unknown path is 404 and a wrong method 405 with
  Allow; paths are percent-decoded and chunked bodies accepted (spec/PROFILE.md §1,
  §7a).

  Background:
    Given the registered users "alice bob"
    And a group "team" owned by "alice" with members "bob"

  Scenario Outline: Paths work with and without the trailing slash: <method> <path>
    When I send "<method>" to "<path>"
    Then the response status is <status>

    @endpoint:GET:/v1/users/
    Examples: user list
      | method | path                        | status |
      | GET    | /v1/users?start=0&count=5   | 200    |
      | GET    | /v1/users/?start=0&count=5  | 200    |

    @endpoint:GET:/v1/users/{username}
    Examples: user
      | method | path               | status |
      | GET    | /v1/users/{alice}  | 200    |
      | GET    | /v1/users/{alice}/ | 200    |

    @endpoint:GET:/v1/users/{username}/groups/
    Examples: user groups
      | method | path                      | status |
      | GET    | /v1/users/{alice}/groups  | 200    |
      | GET    | /v1/users/{alice}/groups/ | 200    |

    @endpoint:GET:/v1/groups/
    Examples: group list
      | method | path                        | status |
      | GET    | /v1/groups?start=0&count=5  | 200    |
      | GET    | /v1/groups/?start=0&count=5 | 200    |

    @endpoint:GET:/v1/groups/{gid}
    Examples: group
      | method | path                  | status |
      | GET    | /v1/groups/{gid:team} | 200    |
      | GET    | /v1/groups/{gid:team}/ | 200   |

    @endpoint:GET:/v1/groups/{gid}/members/
    Examples: member list
      | method | path                          | status |
      | GET    | /v1/groups/{gid:team}/members  | 200    |
      | GET    | /v1/groups/{gid:team}/members/ | 200    |

  Scenario Outline: Bodies are accepted at paths with and without the trailing slash: <method> <path>
    When I send "<method>" to "<path>" with body:
      """
      <body>
      """
    Then the response status is <status>

    @endpoint:POST:/v1/users/
    Examples: register
      | method | path       | body                                                   | status |
      | POST   | /v1/users  | [{"username": "{alice}x1", "password": "pass-word-1"}] | 201    |
      | POST   | /v1/users/ | [{"username": "{alice}x2", "password": "pass-word-1"}] | 201    |

    @endpoint:PUT:/v1/users/{username}
    Examples: update
      | method | path               | body             | status |
      | PUT    | /v1/users/{alice}  | {"star": 1}      | 204    |
      | PUT    | /v1/users/{alice}/ | {"star": 2}      | 204    |

    @endpoint:POST:/v1/groups/
    Examples: create group
      | method | path        | body                                                  | status |
      | POST   | /v1/groups  | {"owner_username": "{bob}", "group_name": "slash-1"}  | 201    |
      | POST   | /v1/groups/ | {"owner_username": "{bob}", "group_name": "slash-2"}  | 201    |

    @endpoint:POST:/v1/groups/{gid}/members
    Examples: members
      | method | path                           | body                       | status |
      | POST   | /v1/groups/{gid:team}/members  | {"remove": ["{bob}"]}      | 204    |
      | POST   | /v1/groups/{gid:team}/members/ | {"remove": ["{bob}"]}      | 204    |

    @endpoint:POST:/v1/messages
    Examples: messages
      | method | path          | body                                                                                                                                                      | status |
      | POST   | /v1/messages  | {"version": 1, "target_type": "single", "target_id": "{bob}", "from_type": "admin", "from_id": "a", "create_time": 1, "msg_type": "text", "msg_body": {"text": "x"}} | 200 |
      | POST   | /v1/messages/ | {"version": 1, "target_type": "single", "target_id": "{bob}", "from_type": "admin", "from_id": "a", "create_time": 1, "msg_type": "text", "msg_body": {"text": "x"}} | 200 |

  @endpoint:DELETE:/v1/users/{username} @endpoint:DELETE:/v1/groups/{gid}
  Scenario: Deletes work with the trailing slash
    When I send "DELETE" to "/v1/groups/{gid:team}/"
    Then the response status is 204
    When I send "DELETE" to "/v1/users/{bob}/"
    Then the response status is 204

  @endpoint:PUT:/v1/users/{username}
  Scenario Outline: application/json is accepted with any parameters: <content type>
    When I send "PUT" to "/v1/users/{alice}" with content type "<content type>" and body:
      """
      {"nickname": "typed"}
      """
    Then the response status is 204

    Examples:
      | content type                    |
      | application/json                |
      | application/json; charset=utf-8 |
      | application/json;charset=UTF-8  |
      | application/json;charset:utf-8  |
      | application/json; charset=utf-8; x=y |

  @endpoint:POST:/v1/users/
  Scenario: A chunked request body is accepted
    Given a fresh username "carol"
    When I send "POST" to "/v1/users/" with a chunked body:
      """
      [{"username": "{carol}", "password": "pass-word-1"}]
      """
    Then the batch results are:
      | username | code |
      | {carol}  |      |

  @endpoint:GET:/v1/users/{username} @spec:7a
  Scenario: Paths are percent-decoded
    Given a fresh username "mail"
    When I send "POST" to "/v1/users/" with body:
      """
      [{"username": "{mail}@example.com", "password": "pass-word-1"}]
      """
    Then the response status is 201
    When I send "GET" to "/v1/users/{mail}%40example.com"
    Then the response status is 200
    And the JSON at "username" equals "{mail}@example.com"
    When I send "GET" to "/v1/users/{mail}@example.com"
    Then the response status is 200

  @code:899003
  Scenario Outline: A body that is not JSON is 400 899003: <method> <path>
    When I send "<method>" to "<path>" with body:
      """
      {"this is": not json
      """
    Then the request fails with status 400 and code 899003

    @endpoint:POST:/v1/users/
    Examples: register
      | method | path       |
      | POST   | /v1/users/ |

    @endpoint:PUT:/v1/users/{username}
    Examples: update
      | method | path              |
      | PUT    | /v1/users/{alice} |

    @endpoint:POST:/v1/groups/
    Examples: create group
      | method | path        |
      | POST   | /v1/groups/ |

    @endpoint:POST:/v1/groups/{gid}/members
    Examples: members
      | method | path                          |
      | POST   | /v1/groups/{gid:team}/members |

    @endpoint:POST:/v1/messages
    Examples: messages
      | method | path         |
      | POST   | /v1/messages |

  @code:899003
  Scenario Outline: An empty body where one is required is 400 899003: <method> <path>
    When I send "<method>" to "<path>" with body:
      """
      """
    Then the request fails with status 400 and code 899003

    @endpoint:POST:/v1/users/
    Examples: register
      | method | path       |
      | POST   | /v1/users/ |

    @endpoint:PUT:/v1/users/{username}
    Examples: update
      | method | path              |
      | PUT    | /v1/users/{alice} |

    @endpoint:POST:/v1/groups/
    Examples: create group
      | method | path        |
      | POST   | /v1/groups/ |

    @endpoint:POST:/v1/groups/{gid}/members
    Examples: members
      | method | path                          |
      | POST   | /v1/groups/{gid:team}/members |

    @endpoint:POST:/v1/messages
    Examples: messages
      | method | path         |
      | POST   | /v1/messages |

  @endpoint:none
  Scenario Outline: An unknown path is 404: <path>
    When I send "GET" to "<path>"
    Then the response status is 404

    Examples:
      | path                       |
      | /v1/nothing                |
      | /v2/users/?start=0&count=1 |
      | /v1/users/{alice}/nothing  |
      | /v1/groups/{gid:team}/owner |
      | /                          |

  @endpoint:none
  Scenario Outline: A known path with a wrong method is 405 with Allow: <method> <path>
    When I send "<method>" to "<path>"
    Then the response status is 405
    And the response header "Allow" lists "<allowed>"

    Examples:
      | method | path                           | allowed        |
      | DELETE | /v1/users/                     | GET POST       |
      | PATCH  | /v1/users/{alice}              | GET PUT DELETE |
      | POST   | /v1/users/{alice}              | GET PUT DELETE |
      | PUT    | /v1/users/{alice}/groups/      | GET            |
      | PUT    | /v1/groups/                    | GET POST       |
      | PUT    | /v1/groups/{gid:team}          | GET DELETE     |
      | DELETE | /v1/groups/{gid:team}/members  | GET POST       |
      | GET    | /v1/messages                   | POST           |

  @endpoint:none @impl-defined @spec:7a
  Scenario Outline: HEAD and OPTIONS get any answer but a server error: <method> <path>
    When I send "<method>" to "<path>"
    Then the response is not a server error

    Examples:
      | method  | path                       |
      | HEAD    | /v1/users/{alice}          |
      | HEAD    | /v1/users/?start=0&count=1 |
      | OPTIONS | /v1/users/                 |
      | OPTIONS | /v1/groups/{gid:team}      |
