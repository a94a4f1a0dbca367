# SPDX-License-Identifier: GPL-2.0-or-later
#
# cmake/mbedtls.cmake - the static mbedtls 3.6 LTS that tools/setup builds.
#
# Include it from the top CMakeLists.txt:
#
#   include(cmake/mbedtls.cmake)
#   target_link_libraries(segw_tls PRIVATE segw::mbedtls)
#
# Defines:
#   segw::mbedtls, segw::mbedx509, segw::mbedcrypto
#                          IMPORTED STATIC libraries with their include
#                          directory; mbedtls -> mbedx509 -> mbedcrypto
#                          (-> Threads::Threads when built with pthreads)
#   SEGW_MBEDTLS_VERSION   e.g. "3.6.6"
#   SEGW_MBEDTLS_PREFIX    cache path, where it was found
#
# The prefix is, in order: -DSEGW_MBEDTLS_PREFIX=..., the environment variable
# SEGW_MBEDTLS_PREFIX at first configure, /opt/segw/mbedtls. Debian 12's own
# libmbedtls-dev (2.28) is never used.

include_guard(GLOBAL)

if(DEFINED ENV{SEGW_MBEDTLS_PREFIX} AND NOT "$ENV{SEGW_MBEDTLS_PREFIX}" STREQUAL "")
	set(_segw_mbedtls_default "$ENV{SEGW_MBEDTLS_PREFIX}")
else()
	set(_segw_mbedtls_default "/opt/segw/mbedtls")
endif()
set(SEGW_MBEDTLS_PREFIX "${_segw_mbedtls_default}" CACHE PATH
	"Install prefix of the static mbedtls 3.6 built by tools/setup")

set(_segw_mbedtls_hint "run tools/setup as root (it builds mbedtls 3.6 into /opt/segw/mbedtls, or into \$SEGW_MBEDTLS_PREFIX), or point -DSEGW_MBEDTLS_PREFIX=<dir> at such a build")
set(_segw_mbedtls_inc "${SEGW_MBEDTLS_PREFIX}/include")

# Version, from the installed headers.
if(NOT EXISTS "${_segw_mbedtls_inc}/mbedtls/build_info.h")
	message(FATAL_ERROR
		"mbedtls 3.6 not found: no ${_segw_mbedtls_inc}/mbedtls/build_info.h.\n"
		"To fix: ${_segw_mbedtls_hint}.")
endif()
file(STRINGS "${_segw_mbedtls_inc}/mbedtls/build_info.h" _segw_mbedtls_line
	REGEX "^#define[ \t]+MBEDTLS_VERSION_STRING[ \t]+\"[0-9.]+\"")
string(REGEX REPLACE ".*\"([0-9.]+)\".*" "\\1" SEGW_MBEDTLS_VERSION "${_segw_mbedtls_line}")
if(NOT SEGW_MBEDTLS_VERSION MATCHES "^3\\.6\\.[0-9]+$")
	message(FATAL_ERROR
		"mbedtls in ${SEGW_MBEDTLS_PREFIX} is version '${SEGW_MBEDTLS_VERSION}', segw needs 3.6.x (LTS).\n"
		"To fix: ${_segw_mbedtls_hint}.")
endif()

# Options segw relies on (tools/setup enables them; see MBEDTLS_CONFIG_SET there).
set(_segw_mbedtls_cfg "${_segw_mbedtls_inc}/mbedtls/mbedtls_config.h")
file(STRINGS "${_segw_mbedtls_cfg}" _segw_mbedtls_defines REGEX "^[ \t]*#define[ \t]+MBEDTLS_")
foreach(_opt
		MBEDTLS_SSL_PROTO_TLS1_3 MBEDTLS_SSL_PROTO_TLS1_2 MBEDTLS_HKDF_C MBEDTLS_GCM_C
		MBEDTLS_CHACHAPOLY_C MBEDTLS_ECDSA_C MBEDTLS_ECDH_C MBEDTLS_X509_CRL_PARSE_C
		MBEDTLS_SSL_SESSION_TICKETS MBEDTLS_SSL_TICKET_C)
	if(NOT _segw_mbedtls_defines MATCHES "#define[ \t]+${_opt}([ \t;]|$)")
		message(FATAL_ERROR
			"mbedtls in ${SEGW_MBEDTLS_PREFIX} was built without ${_opt}.\n"
			"To fix: ${_segw_mbedtls_hint}.")
	endif()
endforeach()

# The three static libraries (tools/setup installs them in lib/).
foreach(_lib mbedcrypto mbedx509 mbedtls)
	set(_segw_${_lib}_a "")
	foreach(_dir lib lib64)
		if(EXISTS "${SEGW_MBEDTLS_PREFIX}/${_dir}/lib${_lib}.a")
			set(_segw_${_lib}_a "${SEGW_MBEDTLS_PREFIX}/${_dir}/lib${_lib}.a")
			break()
		endif()
	endforeach()
	if(NOT _segw_${_lib}_a)
		message(FATAL_ERROR
			"mbedtls ${SEGW_MBEDTLS_VERSION} in ${SEGW_MBEDTLS_PREFIX} has no static lib${_lib}.a.\n"
			"To fix: ${_segw_mbedtls_hint}.")
	endif()
endforeach()

if(NOT TARGET segw::mbedcrypto)
	set(_segw_mbedcrypto_deps "")
	if(_segw_mbedtls_defines MATCHES "#define[ \t]+MBEDTLS_THREADING_PTHREAD([ \t;]|$)")
		find_package(Threads REQUIRED)
		set(_segw_mbedcrypto_deps Threads::Threads)
	endif()

	add_library(segw::mbedcrypto STATIC IMPORTED GLOBAL)
	set_target_properties(segw::mbedcrypto PROPERTIES
		IMPORTED_LOCATION "${_segw_mbedcrypto_a}"
		IMPORTED_LINK_INTERFACE_LANGUAGES C
		INTERFACE_INCLUDE_DIRECTORIES "${_segw_mbedtls_inc}"
		INTERFACE_LINK_LIBRARIES "${_segw_mbedcrypto_deps}")

	add_library(segw::mbedx509 STATIC IMPORTED GLOBAL)
	set_target_properties(segw::mbedx509 PROPERTIES
		IMPORTED_LOCATION "${_segw_mbedx509_a}"
		IMPORTED_LINK_INTERFACE_LANGUAGES C
		INTERFACE_INCLUDE_DIRECTORIES "${_segw_mbedtls_inc}"
		INTERFACE_LINK_LIBRARIES segw::mbedcrypto)

	add_library(segw::mbedtls STATIC IMPORTED GLOBAL)
	set_target_properties(segw::mbedtls PROPERTIES
		IMPORTED_LOCATION "${_segw_mbedtls_a}"
		IMPORTED_LINK_INTERFACE_LANGUAGES C
		INTERFACE_INCLUDE_DIRECTORIES "${_segw_mbedtls_inc}"
		INTERFACE_LINK_LIBRARIES segw::mbedx509)
endif()

# Reconfigure when tools/setup rebuilds mbedtls.
set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS
	"${_segw_mbedtls_inc}/mbedtls/build_info.h" "${_segw_mbedtls_cfg}")

message(STATUS "segw: mbedtls ${SEGW_MBEDTLS_VERSION} (static) from ${SEGW_MBEDTLS_PREFIX}")
